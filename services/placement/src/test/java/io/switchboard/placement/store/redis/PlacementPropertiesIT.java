package io.switchboard.placement.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.placement.contract.NodeAnnouncement;
import io.switchboard.placement.domain.KmsReading;
import io.switchboard.placement.domain.LeastLoadedSelector;
import io.switchboard.placement.domain.NodeLoad;
import io.switchboard.placement.domain.NodeState;
import io.switchboard.placement.domain.Placement;
import io.switchboard.placement.domain.PlacementResult;
import io.switchboard.testing.RedisFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Placement's rules hold for any sequence of what can happen to it — rooms placed and freed,
 * nodes going down, drained, undrained, coming back — against the real scripts in a real Redis:
 * no placement takes a node past its capacity, a new room goes only to a serving node, and every
 * placed room is counted on exactly the node it names. Each case is a sequence drawn from its seed
 * (a failure names the seed and the steps; the same seed draws the same steps). jqwik would
 * shrink failures, but it runs on JUnit Platform 1 and this build is on 6.
 */
class PlacementPropertiesIT {

  static final List<String> NODES = List.of("a", "b", "c");
  static final int CAPACITY = 60;
  static final Duration STALE = Duration.ofSeconds(10);
  static final List<String> ROOMS = List.of("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7");

  @RegisterExtension
  static final RedisFixture fixture = new RedisFixture();

  /** One thing that happens to placement. */
  sealed interface Step {}

  record Place(String room, int endpoints) implements Step {}

  record Free(String room) implements Step {}

  record Down(String node) implements Step {}

  record Up(String node) implements Step {}

  record Drain(String node) implements Step {}

  record Undrain(String node) implements Step {}

  /** 200 cases; {@code -Dplacement.properties.seeds=N} runs more (the long run). */
  static LongStream seeds() {
    return LongStream.rangeClosed(1, Long.getLong("placement.properties.seeds", 200));
  }

  /** 1 to 40 steps: placing is the commonest, then freeing, then what happens to nodes. */
  static List<Step> steps(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Step> steps = new ArrayList<>();
    int n = 1 + random.nextInt(40);
    for (int i = 0; i < n; i++) {
      String room = ROOMS.get(random.nextInt(ROOMS.size()));
      String node = NODES.get(random.nextInt(NODES.size()));
      int kind = random.nextInt(13);
      steps.add(kind < 6 ? new Place(room, 1 + random.nextInt(40)) : kind < 9 ? new Free(room)
          : kind == 9 ? new Down(node) : kind == 10 ? new Up(node) : kind == 11 ? new Drain(node) : new Undrain(node));
    }
    return steps;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void noNodeIsOverfilledAndEveryRoomIsOnExactlyOneNode(long seed) {
    List<Step> steps = steps(seed);
    fixture.flush();
    RedisPlacementStore store = new RedisPlacementStore(fixture.template);
    Instant now = Instant.parse("2026-12-04T12:00:00Z");
    for (String node : NODES) {
      store.register(node, "ws://" + node + "/kurento", CAPACITY);
      store.recordHealth(node, now, new KmsReading(0.0, 0, 0), 3);
    }
    for (Step step : steps) {
      now = now.plusMillis(100);
      if (step instanceof Place p) {
        Map<String, NodeState> before = states(store);
        PlacementResult result = store.place(p.room(), p.endpoints(), now, STALE, new LeastLoadedSelector(),
            new int[] {0, 0});
        if (result instanceof PlacementResult.Placed placed && !placed.existing()) {
          assertThat(before.get(placed.placement().nodeId())).as("seed %d, %s: a new room goes to a serving node only",
              seed, steps).isEqualTo(NodeState.SERVING);
        }
      } else if (step instanceof Free f) {
        store.release(f.room());
      } else if (step instanceof Down d) {
        for (int i = 0; i < 3; i++) {
          store.recordHealth(d.node(), now, null, 3);
        }
        store.evacuate(d.node(), NodeState.DOWN, NodeAnnouncement.Type.NODE_DOWN, "lost", now);
      } else if (step instanceof Up u) {
        store.recordHealth(u.node(), now, new KmsReading(0.0, 0, 0), 3);
      } else if (step instanceof Drain d) {
        store.drain(d.node(), null);
      } else if (step instanceof Undrain u) {
        store.undrain(u.node());
      }
      invariants(store, "seed " + seed + ", after " + step + " of " + steps);
    }
  }

  static Map<String, NodeState> states(RedisPlacementStore store) {
    Map<String, NodeState> states = new HashMap<>();
    store.nodes().forEach(n -> states.put(n.id(), n.state()));
    return states;
  }

  static void invariants(RedisPlacementStore store, String where) {
    Map<String, Integer> roomsOn = new HashMap<>();
    for (String room : ROOMS) {
      store.find(room).map(Placement::nodeId).ifPresent(node -> roomsOn.merge(node, 1, Integer::sum));
    }
    for (NodeLoad node : store.nodes()) {
      assertThat(node.load()).as("%s: node %s's load within its capacity", where, node.id()).isLessThanOrEqualTo(node.capacity());
      assertThat(node.rooms()).as("%s: rooms counted on %s are the rooms placed there", where, node.id())
          .isEqualTo(roomsOn.getOrDefault(node.id(), 0));
      assertThat(node.reserved()).as("%s: node %s's reservations", where, node.id()).isNotNegative();
    }
  }
}
