package io.switchboard.signaling.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A room's lock: reentrant, exclusive per room, and no obstacle to other rooms. */
class RoomLocksTest {

  final RoomLocks locks = new RoomLocks();

  /** Takes {@code roomId}'s lock on another thread, holding it until {@code release}; done once it has it. */
  CompletableFuture<Void> holdElsewhere(String roomId, CountDownLatch release, Thread[] thread) {
    CompletableFuture<Void> taken = new CompletableFuture<>();
    thread[0] = new Thread(() -> {
      try (var held = locks.hold(roomId)) {
        taken.complete(null);
        release.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "other-" + roomId);
    thread[0].setDaemon(true);
    thread[0].start();
    return taken;
  }

  @Test
  void aRoomsLockIsReentrantAndFreeOnceEveryHoldIsClosed() throws Exception {
    Thread[] other = new Thread[1];
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> taken;
    try (var outer = locks.hold("standup")) {
      try (var inner = locks.hold("standup")) {
        taken = holdElsewhere("standup", release, other);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> other[0].getState() == Thread.State.WAITING);
      assertThat(taken).as("one hold is still open").isNotDone();
    }

    taken.get(5, TimeUnit.SECONDS);
    release.countDown();
  }

  @Test
  void theSameRoomIsHeldByOneThreadAtATime() throws Exception {
    Thread[] other = new Thread[1];
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> taken;
    try (var held = locks.hold("standup")) {
      taken = holdElsewhere("standup", release, other);
      await().atMost(Duration.ofSeconds(5)).until(() -> other[0].getState() == Thread.State.WAITING);
      assertThat(taken).isNotDone();
    }
    taken.get(5, TimeUnit.SECONDS);

    CompletableFuture<Void> mine = CompletableFuture.runAsync(() -> {
      try (var held = locks.hold("standup")) {
        // taken once the other thread let go
      }
    });
    assertThat(other[0].isAlive()).isTrue();
    release.countDown();
    mine.get(5, TimeUnit.SECONDS);
  }

  @Test
  void differentRoomsAreHeldAtOnce() throws Exception {
    assertThat(Math.floorMod("standup".hashCode(), 256)).isNotEqualTo(Math.floorMod("retro".hashCode(), 256));
    Thread[] other = new Thread[1];
    CountDownLatch release = new CountDownLatch(1);
    try (var held = locks.hold("standup")) {
      holdElsewhere("retro", release, other).get(5, TimeUnit.SECONDS);
    } finally {
      release.countDown();
    }
  }
}
