package io.switchboard.placement.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.placement.domain.KmsReading;
import io.switchboard.placement.domain.NodeLoad;
import io.switchboard.placement.domain.NodeSelector;
import io.switchboard.placement.domain.PlacementResult;
import io.switchboard.placement.domain.PowerOfTwoChoicesSelector;
import io.switchboard.placement.domain.LeastLoadedSelector;
import io.switchboard.testing.RedisFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 64 concurrent callers place thousands of rooms over 10 nodes, every room asked for twice at
 * once, with more demand than capacity: no node is ever booked past its capacity, and every room
 * that got a node maps to exactly one node, the same for every caller.
 */
class ConcurrentPlacementIT {

  private static final int NODES = 10;
  private static final int CAPACITY = 1_000;
  private static final int ROOMS = 3_000;
  private static final int CALLERS = 64;
  @RegisterExtension
  static final RedisFixture fixture = new RedisFixture();

  @ParameterizedTest
  @ValueSource(strings = {"least-loaded", "power-of-two"})
  void noNodeIsOverbookedAndEveryRoomIsMappedOnce(String strategy) throws Exception {
    fixture.flush();
    NodeSelector selector = strategy.equals("least-loaded") ? new LeastLoadedSelector() : new PowerOfTwoChoicesSelector();
    RedisPlacementStore store = new RedisPlacementStore(fixture.template);
    Instant now = Instant.now();
    for (int i = 0; i < NODES; i++) {
      store.register("n" + i, "ws://n" + i + "/kurento", CAPACITY);
      store.recordHealth("n" + i, now, new KmsReading(0, 0, 0), 3);
    }
    // Rooms of 1 to 6 participants: 1..36 endpoints, about 15 on average, 3 000 rooms: ~45 000
    // endpoints asked of 10 000.
    Map<String, Integer> expected = new HashMap<>();
    for (int r = 0; r < ROOMS; r++) {
      int participants = 1 + (r % 6);
      expected.put("room-" + r, participants * participants);
    }
    Map<String, Set<String>> answers = new ConcurrentHashMap<>();
    AtomicInteger full = new AtomicInteger();
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    CountDownLatch go = new CountDownLatch(1);
    for (Map.Entry<String, Integer> room : expected.entrySet()) {
      for (int copy = 0; copy < 2; copy++) {
        callers.execute(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          ThreadLocalRandom random = ThreadLocalRandom.current();
          PlacementResult result = store.place(room.getKey(), room.getValue(), now, Duration.ofMinutes(5), selector,
              new int[] {random.nextInt(Integer.MAX_VALUE), random.nextInt(Integer.MAX_VALUE)});
          if (result instanceof PlacementResult.Placed placed) {
            answers.computeIfAbsent(room.getKey(), k -> ConcurrentHashMap.newKeySet()).add(placed.placement().nodeId());
          } else {
            full.incrementAndGet();
          }
        });
      }
    }
    go.countDown();
    callers.shutdown();
    assertThat(callers.awaitTermination(2, TimeUnit.MINUTES)).isTrue();

    // Every caller of a room got the same node.
    assertThat(answers.values()).allSatisfy(nodes -> assertThat(nodes).hasSize(1));
    // Each placed room is in exactly one node's room set, and that set agrees with the answers.
    Map<String, Integer> bookedPerNode = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < NODES; i++) {
      String node = "n" + i;
      Set<String> rooms = fixture.template.opsForSet().members(PlacementKeys.nodeRooms(node));
      for (String room : rooms) {
        assertThat(seen.add(room)).as("room %s on two nodes", room).isTrue();
        assertThat(answers.get(room)).containsExactly(node);
        bookedPerNode.merge(node, expected.get(room), Integer::sum);
      }
    }
    assertThat(seen).isEqualTo(answers.keySet());
    // No node booked past its capacity, and the counters agree with the rooms.
    for (NodeLoad node : store.nodes()) {
      int booked = bookedPerNode.getOrDefault(node.id(), 0);
      assertThat(booked).as(node.id()).isLessThanOrEqualTo(CAPACITY);
      assertThat(node.reserved()).as(node.id()).isEqualTo(booked);
      assertThat(node.rooms()).isEqualTo(fixture.template.opsForSet().size(PlacementKeys.nodeRooms(node.id())).intValue());
      // The index the decision script reads agrees with the node's hash.
      String entry = (String) fixture.template.opsForHash().get(PlacementKeys.candidates(), node.id());
      assertThat(entry.split(" ")[3]).as(node.id()).isEqualTo(Integer.toString(node.load()));
    }
    // Demand exceeded capacity, so the cluster ended nearly full and some rooms were refused.
    int totalBooked = bookedPerNode.values().stream().mapToInt(Integer::intValue).sum();
    assertThat(totalBooked).isGreaterThan(NODES * CAPACITY * 9 / 10);
    assertThat(full.get()).isPositive();
    assertThat(answers.size() + full.get() / 2).isLessThanOrEqualTo(ROOMS);
  }
}
