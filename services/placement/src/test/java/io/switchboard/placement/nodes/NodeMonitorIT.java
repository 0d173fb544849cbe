package io.switchboard.placement.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.placement.PlacementMetrics;
import io.switchboard.placement.config.PlacementProperties;
import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.placement.domain.KmsReading;
import io.switchboard.placement.domain.LeastLoadedSelector;
import io.switchboard.placement.domain.NodeLoad;
import io.switchboard.placement.domain.NodeState;
import io.switchboard.placement.domain.PlacementResult;
import io.switchboard.placement.store.redis.RedisPlacementStore;
import io.switchboard.testing.RedisFixture;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The monitor's bookkeeping with a fake discovery and probe over a real Redis. */
class NodeMonitorIT {

  @RegisterExtension
  static final RedisFixture fixture = new RedisFixture();
  private final List<DiscoveredNode> discovered = new CopyOnWriteArrayList<>();
  private volatile boolean synced = true;
  private RedisPlacementStore store;
  private NodeMonitor monitor;

  @BeforeEach
  void setUp() {
    fixture.flush();
    store = new RedisPlacementStore(fixture.template);
    NodeDiscovery discovery = new NodeDiscovery() {
      @Override
      public List<DiscoveredNode> nodes() {
        return List.copyOf(discovered);
      }

      @Override
      public boolean synced() {
        return synced;
      }
    };
    KmsProbe probe = new KmsProbe() {
      @Override
      public KmsReading read(String url) {
        return new KmsReading(0.1, 0, 0);
      }

      @Override
      public void forget(String url) {}

      @Override
      public void close() {}
    };
    PlacementProperties properties = new PlacementProperties(List.of(URI.create("ws://127.0.0.1:1/kurento")), 100,
        PlacementProperties.Strategy.LEAST_LOADED, Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMillis(10),
        Duration.ofSeconds(1), 3, Duration.ofSeconds(60), 2, Duration.ofSeconds(5),
        new PlacementProperties.Kubernetes(false, "", "app=kms", 8888, "/kurento", "a"));
    monitor = new NodeMonitor(store, discovery, probe, properties, new PlacementMetrics(new SimpleMeterRegistry()),
        Clock.systemUTC());
  }

  private void cycleAndWaitForPolls() throws Exception {
    monitor.cycle();
    monitor.awaitPolls(Duration.ofSeconds(30));
  }

  @Test
  void discoveredNodesAreRegisteredAndPolled() throws Exception {
    discovered.add(new DiscoveredNode("a", "ws://a/kurento", 50));
    cycleAndWaitForPolls();
    NodeLoad a = store.node("a").orElseThrow();
    assertThat(a.state()).isEqualTo(NodeState.SERVING);
    assertThat(a.capacity()).isEqualTo(50);
    assertThat(a.cpu()).isEqualTo(0.1);
    assertThat(a.heartbeat()).isAfter(Instant.now().minusSeconds(5));
  }

  @Test
  void aNodeThatLeavesDiscoveryIsEvacuatedAndForgotten() throws Exception {
    discovered.add(new DiscoveredNode("a", "ws://a/kurento", 50));
    discovered.add(new DiscoveredNode("b", "ws://b/kurento", 50));
    cycleAndWaitForPolls();
    PlacementResult placed = store.place("r1", 4, Instant.now(), Duration.ofSeconds(10), new LeastLoadedSelector(),
        new int[] {0, 0});
    String nodeId = ((PlacementResult.Placed) placed).placement().nodeId();
    discovered.removeIf(n -> n.id().equals(nodeId));

    // A discovery that has not listed its nodes yet must not empty the registry.
    synced = false;
    cycleAndWaitForPolls();
    assertThat(store.node(nodeId)).isPresent();

    synced = true;
    cycleAndWaitForPolls();
    assertThat(store.node(nodeId)).isEmpty();
    assertThat(store.find("r1")).isEmpty();
    var entries = fixture.template.opsForStream().read(
        org.springframework.data.redis.connection.stream.StreamOffset.fromStart(PlacementKeys.announcements()));
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).getValue()).containsEntry("nodeId", nodeId).containsEntry("rooms", "r1")
        .containsEntry("reason", "left discovery");
  }

  @Test
  void aTerminatingNodeTakesNoNewRoomsButKeepsItsOwnUntilItIsGone() throws Exception {
    discovered.add(new DiscoveredNode("a", "ws://a/kurento", 50));
    cycleAndWaitForPolls();
    assertThat(store.place("r1", 2, Instant.now(), Duration.ofSeconds(10), new LeastLoadedSelector(), new int[] {0, 0}))
        .isInstanceOf(PlacementResult.Placed.class);

    discovered.set(0, new DiscoveredNode("a", "ws://a/kurento", 50, true));
    cycleAndWaitForPolls();
    cycleAndWaitForPolls();
    NodeLoad a = store.node("a").orElseThrow();
    assertThat(a.state()).isEqualTo(NodeState.DRAINING);
    assertThat(store.find("r1")).isPresent();
    assertThat(store.place("r2", 2, Instant.now(), Duration.ofSeconds(10), new LeastLoadedSelector(), new int[] {0, 0}))
        .isNotInstanceOf(PlacementResult.Placed.class);
    var announcements = fixture.template.opsForStream().read(
        org.springframework.data.redis.connection.stream.StreamOffset.fromStart(PlacementKeys.announcements()));
    assertThat(announcements).isEmpty();

    // A deadline its preStop hook set is kept, not replaced by the monitor's open-ended drain.
    Instant deadline = Instant.now().plusSeconds(600);
    store.drain("a", deadline);
    cycleAndWaitForPolls();
    assertThat(store.node("a").orElseThrow().drainDeadline()).isEqualTo(deadline.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));

    discovered.clear();
    cycleAndWaitForPolls();
    assertThat(store.node("a")).isEmpty();
    assertThat(store.find("r1")).isEmpty();
  }

  @Test
  void anotherReplicaHoldingTheLeaseMeansNoPoll() throws Exception {
    discovered.add(new DiscoveredNode("a", "ws://a/kurento", 50));
    store.register("a", "ws://a/kurento", 50);
    assertThat(store.acquireMonitorLease("a", "other-replica", Duration.ofSeconds(30))).isTrue();
    cycleAndWaitForPolls();
    assertThat(store.node("a").orElseThrow().heartbeat()).isEqualTo(Instant.EPOCH);
  }
}
