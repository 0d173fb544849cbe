package io.switchboard.placement.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.placement.contract.LoadReport;
import io.switchboard.placement.contract.NodeAnnouncement;
import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.placement.domain.HealthOutcome;
import io.switchboard.placement.domain.KmsReading;
import io.switchboard.placement.domain.LeastLoadedSelector;
import io.switchboard.placement.domain.NodeLoad;
import io.switchboard.placement.domain.NodeState;
import io.switchboard.placement.domain.PlacementResult;
import io.switchboard.testing.RedisFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.core.script.RedisScript;

/** The placement scripts against a real redis-server. */
class RedisPlacementStoreIT {

  private static final Duration STALE = Duration.ofSeconds(10);
  @RegisterExtension
  static final RedisFixture fixture = new RedisFixture();
  private RedisPlacementStore store;
  private Instant now = Instant.parse("2026-11-20T12:00:00Z");

  @BeforeEach
  void emptyStore() {
    fixture.flush();
    store = new RedisPlacementStore(fixture.template);
  }

  private void healthyNode(String id, int capacity) {
    store.register(id, "ws://" + id + "/kurento", capacity);
    store.recordHealth(id, now, new KmsReading(0.0, 0, 0), 3);
  }

  private PlacementResult place(String room, int endpoints) {
    return store.place(room, endpoints, now, STALE, new LeastLoadedSelector(), new int[] {0, 0});
  }

  private NodeLoad node(String id) {
    return store.node(id).orElseThrow();
  }

  private String report(String room, String nodeId, int endpoints, int participants) {
    return fixture.template.execute(RedisScript.of(LoadReport.SCRIPT, String.class), LoadReport.keys(room),
        LoadReport.args(room, nodeId, endpoints, participants).toArray(String[]::new));
  }

  @Test
  void placementIsIdempotentAndReservesTheRoomsLoad() {
    healthyNode("a", 100);
    PlacementResult first = place("r1", 16);
    PlacementResult again = place("r1", 16);

    assertThat(first).isInstanceOf(PlacementResult.Placed.class);
    PlacementResult.Placed placed = (PlacementResult.Placed) first;
    assertThat(placed.existing()).isFalse();
    assertThat(placed.placement().nodeId()).isEqualTo("a");
    assertThat(placed.placement().kmsUrl()).isEqualTo("ws://a/kurento");
    assertThat(((PlacementResult.Placed) again).existing()).isTrue();
    assertThat(((PlacementResult.Placed) again).placement()).isEqualTo(placed.placement());
    assertThat(node("a").reserved()).isEqualTo(16);
    assertThat(node("a").rooms()).isEqualTo(1);
    assertThat(store.find("r1")).hasValue(placed.placement());
  }

  @Test
  void reservationsTurnIntoReportedEndpointsWithoutDoubleCounting() {
    healthyNode("a", 100);
    place("r1", 4);
    assertThat(report("r1", "a", 3, 2)).isEqualTo("ok");
    assertThat(node("a").endpoints()).isEqualTo(3);
    assertThat(node("a").reserved()).isEqualTo(1);
    assertThat(node("a").load()).isEqualTo(4);
    // More than expected: the excess counts, the reservation stays at zero.
    report("r1", "a", 3, 1);
    assertThat(node("a").endpoints()).isEqualTo(6);
    assertThat(node("a").reserved()).isZero();
    assertThat(node("a").participants()).isEqualTo(3);

    assertThat(report("nowhere", "a", 1, 1)).isEqualTo("not-placed");
    assertThat(report("r1", "b", 1, 1)).isEqualTo("moved");
    assertThat(node("a").endpoints()).isEqualTo(6);
  }

  @Test
  void releaseFreesEverythingTheRoomHeld() {
    healthyNode("a", 100);
    place("r1", 9);
    report("r1", "a", 4, 2);
    assertThat(store.release("r1")).isTrue();
    assertThat(store.release("r1")).isFalse();

    NodeLoad a = node("a");
    assertThat(List.of(a.endpoints(), a.reserved(), a.participants(), a.rooms())).containsOnly(0);
    assertThat(store.find("r1")).isEmpty();
    assertThat(fixture.template.opsForSet().members(PlacementKeys.nodeRooms("a"))).isEmpty();
  }

  @Test
  void fullStaleAndDrainingNodesTakeNoRooms() {
    healthyNode("a", 10);
    place("r1", 9);
    PlacementResult full = place("r2", 4);
    assertThat(full).isEqualTo(new PlacementResult.NoCapacity(1, 1, 1, 10));

    now = now.plusSeconds(11);
    assertThat(place("r3", 1)).isEqualTo(new PlacementResult.NoCapacity(1, 1, 0, 10));

    store.recordHealth("a", now, new KmsReading(0, 0, 0), 3);
    store.drain("a", null);
    assertThat(place("r4", 1)).isEqualTo(new PlacementResult.NoCapacity(1, 0, 0, 10));
    assertThat(((PlacementResult.Placed) place("r1", 9)).existing()).isTrue();
  }

  @Test
  void healthFailuresMakeANodeDownAndEvacuationAnnouncesItsRooms() {
    healthyNode("a", 100);
    healthyNode("b", 100);
    place("r1", 4);
    place("r2", 4);
    assertThat(store.recordHealth("a", now, null, 3)).isEqualTo(HealthOutcome.FAILING);
    assertThat(store.recordHealth("a", now, null, 3)).isEqualTo(HealthOutcome.FAILING);
    assertThat(node("a").state()).isEqualTo(NodeState.SERVING);
    assertThat(store.recordHealth("a", now, null, 3)).isEqualTo(HealthOutcome.DOWN);

    List<String> moved = store.evacuate("a", NodeState.DOWN, NodeAnnouncement.Type.NODE_DOWN, "test", now);

    String roomOnA = store.find("r1").isEmpty() ? "r1" : "r2";
    assertThat(moved).containsExactly(roomOnA);
    assertThat(node("a").state()).isEqualTo(NodeState.DOWN);
    assertThat(node("a").load()).isZero();
    assertThat(store.recordHealth("a", now, null, 3)).isEqualTo(HealthOutcome.FAILING);
    List<MapRecord<String, Object, Object>> entries =
        fixture.template.opsForStream().read(StreamOffset.fromStart(PlacementKeys.announcements()));
    assertThat(entries).hasSize(1);
    @SuppressWarnings({"unchecked", "rawtypes"})
    NodeAnnouncement announcement = NodeAnnouncement.fromFields((Map) entries.get(0).getValue());
    assertThat(announcement).isEqualTo(new NodeAnnouncement(NodeAnnouncement.Type.NODE_DOWN, "a", List.of(roomOnA),
        "test", now.toEpochMilli()));
    // A room that had to move is placed on a serving node next time.
    assertThat(((PlacementResult.Placed) place(roomOnA, 4)).placement().nodeId()).isEqualTo("b");

    assertThat(store.recordHealth("a", now, new KmsReading(0, 0, 0), 3)).isEqualTo(HealthOutcome.RECOVERED);
    assertThat(node("a").state()).isEqualTo(NodeState.SERVING);
  }

  @Test
  void aNodeThatCannotBeReadKeepsItsLastFigures() {
    healthyNode("a", 100);
    store.recordHealth("a", now, new KmsReading(0.5, 40, 3), 3);
    store.recordHealth("a", now.plusSeconds(2), null, 3);
    NodeLoad a = node("a");
    assertThat(a.cpu()).isEqualTo(0.5);
    assertThat(a.kmsEndpoints()).isEqualTo(40);
    assertThat(a.heartbeat()).isEqualTo(now);
    assertThat(a.failures()).isEqualTo(1);
  }

  @Test
  void reconcileExpiresOldReservationsAndResetsDriftedCounters() {
    healthyNode("a", 100);
    place("old", 16);
    report("old", "a", 4, 2);
    now = now.plusSeconds(30);
    store.recordHealth("a", now, new KmsReading(0, 4, 1), 3);
    place("young", 9);

    int before = store.reconcile("a", now.plusSeconds(31), Duration.ofSeconds(60), -1);
    assertThat(before).isEqualTo(4);
    assertThat(node("a").reserved()).isEqualTo(9);

    store.reconcile("a", now.plusSeconds(31), Duration.ofSeconds(60), 11);
    assertThat(node("a").endpoints()).isEqualTo(11);
  }

  @Test
  void drainAndUndrain() {
    healthyNode("a", 100);
    place("r1", 4);
    Instant deadline = now.plusSeconds(60);
    assertThat(store.drain("a", deadline)).hasValue(NodeState.DRAINING);
    assertThat(node("a").drainDeadline()).isEqualTo(deadline);
    // Not due yet: nothing happens.
    assertThat(store.evacuateIfDrainDue("a", now.plusSeconds(59))).isEmpty();
    assertThat(store.evacuateIfDrainDue("a", now.plusSeconds(60))).hasValue(List.of("r1"));
    // Announced once.
    assertThat(store.evacuateIfDrainDue("a", now.plusSeconds(61))).isEmpty();
    assertThat(node("a").state()).isEqualTo(NodeState.DRAINING);

    assertThat(store.undrain("a")).hasValue(NodeState.SERVING);
    assertThat(node("a").drainDeadline()).isNull();
    assertThat(store.evacuateIfDrainDue("a", now.plusSeconds(120))).isEmpty();
    assertThat(store.drain("nope", null)).isEmpty();
  }

  @Test
  void aDrainedNodeThatWasDownComesBackDraining() {
    healthyNode("a", 100);
    store.recordHealth("a", now, null, 1);
    store.evacuate("a", NodeState.DOWN, NodeAnnouncement.Type.NODE_DOWN, "test", now);
    assertThat(store.drain("a", null)).hasValue(NodeState.DOWN);

    assertThat(store.recordHealth("a", now, new KmsReading(0, 0, 0), 1)).isEqualTo(HealthOutcome.RECOVERED);
    assertThat(node("a").state()).isEqualTo(NodeState.DRAINING);
    assertThat(place("r1", 1)).isInstanceOf(PlacementResult.NoCapacity.class);
  }

  @Test
  void evacuatingOrReconcilingAForgottenNodeLeavesNoGhost() {
    healthyNode("a", 100);
    store.evacuate("a", NodeState.DOWN, NodeAnnouncement.Type.NODE_DOWN, "left", now);
    assertThat(store.forget("a")).isTrue();
    assertThat(store.evacuate("a", NodeState.DOWN, NodeAnnouncement.Type.NODE_DOWN, "late poll", now)).isEmpty();
    store.reconcile("a", now, Duration.ofSeconds(60), 3);
    assertThat(fixture.template.keys(PlacementKeys.PREFIX + "*"))
        .containsExactlyInAnyOrder(PlacementKeys.announcements());
  }

  @Test
  void aNodeRevivedWhileLeavingIsNotForgotten() {
    healthyNode("a", 100);
    store.evacuate("a", NodeState.DOWN, NodeAnnouncement.Type.NODE_DOWN, "left discovery", now);
    store.recordHealth("a", now, new KmsReading(0, 0, 0), 3);
    assertThat(store.forget("a")).isFalse();
    assertThat(store.node("a")).isPresent();
  }

  @Test
  void oneReplicaAtATimeHoldsAMonitorLease() {
    assertThat(store.acquireMonitorLease("a", "p1", Duration.ofSeconds(5))).isTrue();
    assertThat(store.acquireMonitorLease("a", "p2", Duration.ofSeconds(5))).isFalse();
    assertThat(store.acquireMonitorLease("a", "p1", Duration.ofSeconds(5))).isTrue();
    fixture.template.delete(PlacementKeys.monitorLease("a"));
    assertThat(store.acquireMonitorLease("a", "p2", Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void forgottenNodesLeaveNoKeys() {
    healthyNode("a", 100);
    place("r1", 4);
    store.evacuate("a", NodeState.DOWN, NodeAnnouncement.Type.NODE_DOWN, "left discovery", now);
    assertThat(store.forget("a")).isTrue();
    assertThat(store.nodes()).isEmpty();
    assertThat(fixture.template.keys(PlacementKeys.PREFIX + "*"))
        .containsExactlyInAnyOrder(PlacementKeys.announcements());
  }
}
