package io.switchboard.signaling.events.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoomLanesTest {

  final RoomLanes lanes = new RoomLanes(2, 3);
  final CountDownLatch stuck = new CountDownLatch(1);
  final List<String> done = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    stuck.countDown();
    lanes.close();
  }

  Runnable record(String what) {
    return () -> done.add(what);
  }

  void block() {
    try {
      stuck.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aStuckRoomHoldsUpOnlyItselfAndKeepsItsOrder() {
    lanes.submit("stuck", this::block, false);
    lanes.submit("stuck", record("stuck-1"), false);
    lanes.submit("stuck", record("stuck-2"), false);
    for (int i = 0; i < 50; i++) {
      lanes.submit("busy", record("busy-" + i), false);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 50);
    assertThat(done).allMatch(d -> d.startsWith("busy-"));
    assertThat(done).isSortedAccordingTo((a, b) -> Integer.compare(Integer.parseInt(a.substring(5)),
        Integer.parseInt(b.substring(5))));
    stuck.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 52);
    assertThat(done.subList(50, 52)).containsExactly("stuck-1", "stuck-2");
    assertThat(lanes.waiting()).isZero();
  }

  @Test
  void aFloodOfDroppableTasksIsCutAtTheBacklogButMembershipIsNeverDropped() {
    lanes.submit("flooded", this::block, false);
    List<Boolean> accepted = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 10; i++) {
      accepted.add(lanes.submit("flooded", record("chat-" + i), true));
    }
    assertThat(lanes.submit("flooded", record("left"), false)).isTrue();
    assertThat(accepted).containsExactly(true, true, true, false, false, false, false, false, false, false);
    stuck.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 4);
    assertThat(done).containsExactly("chat-0", "chat-1", "chat-2", "left");
    // Drained: the backlog is free again.
    assertThat(lanes.submit("flooded", record("chat-later"), true)).isTrue();
  }
}
