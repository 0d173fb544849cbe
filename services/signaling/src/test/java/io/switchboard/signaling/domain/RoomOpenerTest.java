package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static io.switchboard.signaling.domain.Cluster.NODE_0;
import static io.switchboard.signaling.domain.Cluster.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.presence.PresenceType;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A room is opened on its first join (placement, then one pipeline), once across pods, and closed when empty. */
class RoomOpenerTest {

  static final String ROOM = "standup";

  final MutableClock clock = new MutableClock();
  final InMemoryRoomStore store = new InMemoryRoomStore(clock);
  final FakePlacement placement = new FakePlacement(NODE_0, KMS_0);
  final FakeMediaServer kms = new FakeMediaServer();
  final RecordingPresence presence = new RecordingPresence();
  final MediaCleanup cleanup = new MediaCleanup(kms);
  final AtomicInteger pauses = new AtomicInteger();
  /** What happens while an open waits between looks (another pod at work); the clock moves on. */
  Runnable meanwhile = () -> {};
  final RoomOpener opener = new RoomOpener(store, placement, kms, cleanup, new PresenceNotes(presence, clock, "pod-a"),
      clock, pause -> {
        pauses.incrementAndGet();
        clock.advance(pause);
        meanwhile.run();
      }, "pod-a", 4);

  @AfterEach
  void close() {
    cleanup.close();
  }

  static RoomStore.MemberRecord member(String id) {
    return new RoomStore.MemberRecord(id, "pod-a", "hash", "endpoint", false, Map.of(), true, true, 0, 0, false,
        null, null, null);
  }

  @Test
  void theFirstOpenPlacesTheRoomAndMakesItsPipelineAndLaterOnesReadIt() {
    RoomStore.RoomRecord opened = opener.open(ROOM, "Standup", "r1");

    assertThat(opened.nodeId()).isEqualTo(NODE_0);
    assertThat(kms.exists(KMS_0, opened.pipelineId())).isTrue();
    assertThat(store.room(ROOM)).contains(opened);
    assertThat(store.lockOwner(ROOM)).isEmpty();
    assertThat(presence.events()).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(PresenceType.ROOM_OPENED);
      assertThat(e.roomName()).isEqualTo("Standup");
      assertThat(e.kmsNode()).isEqualTo(NODE_0);
    });

    assertThat(opener.open(ROOM, "Standup", "r2")).isEqualTo(opened);
    assertThat(placement.placeCalls()).isEqualTo(1);
    assertThat(kms.liveObjects(KMS_0, Kind.PIPELINE)).isEqualTo(1);
    assertThat(pauses).hasValue(0);
  }

  @Test
  void joinsOfOneRoomOnThisPodOpenItTogetherWithoutPollingTheStore() throws Exception {
    CountDownLatch placing = new CountDownLatch(1);
    CountDownLatch placed = new CountDownLatch(1);
    AtomicInteger placeCalls = new AtomicInteger();
    RoomPlacementClient slow = new RoomPlacementClient() {
      @Override
      public PlacedRoom place(String roomId, int expectedParticipants) {
        placeCalls.incrementAndGet();
        placing.countDown();
        try {
          placed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return placement.place(roomId, expectedParticipants);
      }

      @Override
      public void release(String roomId) {
        placement.release(roomId);
      }
    };
    RoomOpener together = new RoomOpener(store, slow, kms, cleanup, new PresenceNotes(presence, clock, "pod-a"), clock,
        pause -> {
          pauses.incrementAndGet();
          clock.advance(pause);
        }, "pod-a", 4);
    Map<String, RoomStore.RoomRecord> opened = new java.util.concurrent.ConcurrentHashMap<>();
    List<Thread> joins = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String request = "r" + i;
      joins.add(new Thread(() -> opened.put(request, together.open(ROOM, ROOM, request))));
    }
    joins.get(0).start();
    placing.await();
    joins.subList(1, 4).forEach(Thread::start);
    // The others wait for the first one's answer (with polling, they would look at the store and pause).
    for (Thread t : joins.subList(1, 4)) {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (t.getState() != Thread.State.TIMED_WAITING && t.isAlive() && System.nanoTime() < until) {
        Thread.onSpinWait();
      }
    }
    placed.countDown();
    for (Thread t : joins) {
      t.join(5_000);
    }

    assertThat(opened).hasSize(4);
    assertThat(new java.util.HashSet<>(opened.values())).singleElement().isEqualTo(store.room(ROOM).orElseThrow());
    assertThat(placeCalls).hasValue(1);
    assertThat(pauses).as("nobody polled").hasValue(0);
    assertThat(kms.liveObjects(KMS_0, Kind.PIPELINE)).isEqualTo(1);
  }

  @Test
  void anOpenerWhoseLockLapsedWhileKmsAnsweredLeavesTheRoomToThePodThatTookIt() {
    RoomStore.RoomRecord[] theirs = new RoomStore.RoomRecord[1];
    RoomPlacementClient slow = new RoomPlacementClient() {
      @Override
      public PlacedRoom place(String roomId, int expectedParticipants) {
        PlacedRoom placed = placement.place(roomId, expectedParticipants);
        // Placement (and then KMS) answer after the lock's TTL: pod B takes the lapsed lock and
        // opens the room meanwhile.
        clock.advance(InMemoryRoomStore.LOCK_TTL.plusSeconds(1));
        assertThat(store.lockRoom(roomId, "pod-b/1")).isTrue();
        theirs[0] = new RoomStore.RoomRecord(NODE_0, KMS_0, kms.createPipeline(KMS_0));
        assertThat(store.saveRoom(roomId, "pod-b/1", theirs[0])).isTrue();
        store.unlockRoom(roomId, "pod-b/1");
        return placed;
      }

      @Override
      public void release(String roomId) {
        placement.release(roomId);
      }
    };
    RoomOpener late = new RoomOpener(store, slow, kms, cleanup, new PresenceNotes(presence, clock, "pod-a"), clock,
        clock::advance, "pod-a", 4);

    assertThat(late.open(ROOM, ROOM, "r1")).isEqualTo(theirs[0]);

    // One room, one pipeline: B's. A's own was released, and A announced nothing.
    assertThat(store.room(ROOM)).contains(theirs[0]);
    assertThat(kms.liveObjects(KMS_0, Kind.PIPELINE)).isEqualTo(1);
    assertThat(kms.exists(KMS_0, theirs[0].pipelineId())).isTrue();
    assertThat(presence.events()).isEmpty();
    assertThat(store.lockOwner(ROOM)).isEmpty();
  }

  @Test
  void aClientOpensAtMostItsShareOfRoomsAndMayStillJoinOpenOnes() {
    RoomOpener capped = new RoomOpener(store, placement, kms, cleanup, new PresenceNotes(presence, clock, "pod-a"),
        clock, clock::advance, "pod-a", 4, 2);
    String looper = "address:198.51.100.7";
    capped.open("r1", "r1", "j1", looper);
    capped.open("r2", "r2", "j2", looper);

    assertThat(refusal(ErrorCode.TOO_MANY_ROOMS, () -> capped.open("r3", "r3", "j3", looper)).requestId())
        .isEqualTo("j3");
    // Refused before placement or KMS were asked; nothing of r3 anywhere.
    assertThat(placement.placeCalls()).isEqualTo(2);
    assertThat(kms.liveObjects(KMS_0, Kind.PIPELINE)).isEqualTo(2);
    assertThat(store.room("r3")).isEmpty();
    assertThat(store.lockOwner("r3")).isEmpty();
    assertThat(store.openings(looper)).containsExactlyInAnyOrder("r1", "r2");

    // Joining a room that is open is not opening one; someone else opens rooms as before.
    assertThat(capped.open("r1", "r1", "j4", looper)).isEqualTo(store.room("r1").orElseThrow());
    capped.open("r3", "r3", "j5", "address:203.0.113.9");
    capped.open("r4", "r4", "j6", null);

    // A room of theirs that closes makes room for another.
    capped.closeIfEmpty("r1");
    assertThat(store.openings(looper)).containsExactly("r2");
    capped.open("r5", "r5", "j7", looper);
    assertThat(store.openings(looper)).containsExactlyInAnyOrder("r2", "r5");
  }

  @Test
  void aFailedOpenDoesNotCountAgainstItsClient() {
    RoomOpener capped = new RoomOpener(store, placement, kms, cleanup, new PresenceNotes(presence, clock, "pod-a"),
        clock, clock::advance, "pod-a", 4, 1);
    kms.makeUnreachable(KMS_0);
    assertThatThrownBy(() -> capped.open("r1", "r1", "j1", "identity:alice"))
        .isInstanceOf(MediaServer.MediaException.class);
    assertThat(store.openings("identity:alice")).isEmpty();
    kms.makeReachable(KMS_0);
    capped.open("r1", "r1", "j2", "identity:alice");
    assertThat(store.openings("identity:alice")).containsExactly("r1");
  }

  @Test
  void anOpenWaitsForTheRoomAnotherPodIsOpening() {
    store.lockRoom(ROOM, "pod-b/1");
    RoomStore.RoomRecord theirs = new RoomStore.RoomRecord(NODE_0, KMS_0, kms.createPipeline(KMS_0));
    meanwhile = () -> {
      if (pauses.get() == 3) {
        store.put(ROOM, theirs);
        store.unlockRoom(ROOM, "pod-b/1");
      }
    };

    assertThat(opener.open(ROOM, ROOM, "r1")).isEqualTo(theirs);

    assertThat(placement.placeCalls()).isZero();
    assertThat(kms.liveObjects(KMS_0, Kind.PIPELINE)).isEqualTo(1);
    assertThat(presence.events()).isEmpty();
  }

  @Test
  void anOpenGivesUpWhenTheRoomAnotherPodIsOpeningDoesNotComeInTime() {
    store.lockRoom(ROOM, "pod-b/1");
    long start = clock.millis();

    refusal(ErrorCode.UNAVAILABLE, () -> opener.open(ROOM, ROOM, "r1"));

    assertThat(clock.millis() - start).isEqualTo(RoomOpener.CREATION_WAIT.toMillis());
    assertThat(placement.placeCalls()).isZero();
    assertThat(store.room(ROOM)).isEmpty();
  }

  @Test
  void theLockOfAPodThatDiedWhileOpeningLapsesAndTheRoomIsOpenedAfterAll() {
    clock.advance(Duration.ofSeconds(-10));
    store.lockRoom(ROOM, "pod-b/1"); // ten seconds ago, by a pod that died since
    clock.advance(Duration.ofSeconds(10));

    RoomStore.RoomRecord opened = opener.open(ROOM, ROOM, "r1");

    assertThat(store.room(ROOM)).contains(opened);
    assertThat(placement.placeCalls()).isEqualTo(1);
    assertThat(clock.millis() - MutableClock.START.toEpochMilli())
        .isGreaterThan(InMemoryRoomStore.LOCK_TTL.minusSeconds(10).toMillis());
  }

  @Test
  void aPlacementThatFailsLeavesTheRoomUnopenedAndUnlocked() {
    placement.failWith(new IllegalStateException("no capacity"));

    assertThatThrownBy(() -> opener.open(ROOM, ROOM, "r1")).hasMessage("no capacity");

    assertThat(store.lockOwner(ROOM)).isEmpty();
    assertThat(store.room(ROOM)).isEmpty();
    placement.recover();
    assertThat(opener.open(ROOM, ROOM, "r2")).isNotNull();
  }

  @Test
  void onlyAnEmptyRoomIsClosedWithItsPipelineAndPlacement() {
    RoomStore.RoomRecord room = opener.open(ROOM, ROOM, "r1");
    store.addMember(ROOM, room.pipelineId(), "alice", member("m-1"), 8);
    presence.clear();

    opener.closeIfEmpty(ROOM);
    assertThat(store.room(ROOM)).isPresent();
    assertThat(presence.events()).isEmpty();

    store.removeMember(ROOM, "alice", "m-1", "pod-a");
    opener.closeIfEmpty(ROOM);
    opener.closeIfEmpty(ROOM);

    assertThat(store.room(ROOM)).isEmpty();
    assertThat(kms.exists(KMS_0, room.pipelineId())).isFalse();
    assertThat(placement.released()).containsExactly(ROOM);
    assertThat(presence.types()).containsExactly(PresenceType.ROOM_CLOSED);
  }

  @Test
  void aParticipantsPipelineIsTheOneTheStoreHasNow() {
    RoomStore.RoomRecord room = opener.open(ROOM, ROOM, "r1");
    Participant alice = new Participant("alice", ROOM, "Standup", NODE_0, KMS_0, "m-1", 0, new RecordingChannel(),
        "e", "h");
    assertThat(opener.pipelineOf(alice)).isEqualTo(room.pipelineId());

    store.put(ROOM, new RoomStore.RoomRecord("kms-1", "ws://kms-1/kurento", "pipeline-99"));
    assertThat(opener.pipelineOf(alice)).isEqualTo("pipeline-99");

    store.deleteIfEmpty(ROOM);
    assertThat(refusal(ErrorCode.UNAVAILABLE, () -> opener.pipelineOf(alice)).getMessage())
        .isEqualTo("room Standup is gone");
  }
}
