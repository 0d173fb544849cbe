package io.switchboard.signaling.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.signaling.domain.RoomStore;
import io.switchboard.signaling.domain.RoomStore.Added;
import io.switchboard.testing.RedisFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The room store's atomic steps against a real redis-server. */
class RedisRoomStoreIT {

  @RegisterExtension
  static final RedisFixture redis = new RedisFixture();
  RedisRoomStore store;

  static final RoomStore.RoomRecord ROOM = new RoomStore.RoomRecord("kms-0", "ws://127.0.0.1:1/kurento", "pipe-1");

  @BeforeEach
  void empty() {
    redis.flush();
    store = new RedisRoomStore(redis.template);
  }

  /** As an opener does: under the room's lock. */
  private void save(String roomId, RoomStore.RoomRecord room) {
    assertThat(store.lockRoom(roomId, "opener")).isTrue();
    assertThat(store.saveRoom(roomId, "opener", room)).isTrue();
    store.unlockRoom(roomId, "opener");
  }

  /** What a pod goes through before it turns ready writes nothing, and finds no room. */
  @Test
  void goingThroughItAheadWritesNothing() {
    save("r", ROOM);
    java.util.Set<String> before = redis.template.keys("*");

    store.prepare();

    assertThat(redis.template.keys("*")).isEqualTo(before);
    assertThat(store.room("r")).contains(ROOM);
  }

  @Test
  void onlyTheHolderOfTheRoomsLockSavesIt() {
    assertThat(store.saveRoom("r", "late", ROOM)).as("no lock").isFalse();
    assertThat(store.lockRoom("r", "late")).isTrue();
    // The lock lapsed (its TTL) and another opener took it.
    redis.template.delete(io.switchboard.signaling.redis.SignalingKeys.roomLock("r"));
    assertThat(store.lockRoom("r", "next")).isTrue();
    assertThat(store.saveRoom("r", "late", ROOM)).as("lapsed, taken by another").isFalse();
    assertThat(store.room("r")).isEmpty();
    RoomStore.RoomRecord theirs = new RoomStore.RoomRecord("kms-1", "ws://127.0.0.1:2/kurento", "pipe-9");
    assertThat(store.saveRoom("r", "next", theirs)).isTrue();
    assertThat(store.saveRoom("r", "late", ROOM)).isFalse();
    assertThat(store.room("r")).contains(theirs);
  }

  @Test
  void aClientsOpenRoomsAreCountedUpToItsShare() {
    String looper = "address:198.51.100.7";
    assertThat(store.reserveOpening(looper, "r1", 2)).isTrue();
    assertThat(store.reserveOpening(looper, "r1", 2)).as("counted once").isTrue();
    assertThat(store.reserveOpening(looper, "r2", 2)).isTrue();
    assertThat(store.reserveOpening(looper, "r3", 2)).isFalse();
    assertThat(store.reserveOpening("address:203.0.113.9", "r3", 2)).isTrue();
    assertThat(redis.template.opsForSet().members(io.switchboard.signaling.redis.SignalingKeys.openings(looper)))
        .containsExactlyInAnyOrder("r1", "r2");
    assertThat(redis.template.getExpire(io.switchboard.signaling.redis.SignalingKeys.openings(looper))).isPositive();
    store.releaseOpening(looper, "r1");
    assertThat(store.reserveOpening(looper, "r3", 2)).isTrue();

    // The room's record says whose it is, until it is deleted; a rebuild's save leaves it.
    assertThat(store.lockRoom("r3", "opener")).isTrue();
    assertThat(store.saveRoom("r3", "opener", ROOM, looper)).isTrue();
    assertThat(store.saveRoom("r3", "opener", ROOM)).isTrue();
    assertThat(store.openerOf("r3")).contains(looper);
    assertThat(store.deleteIfEmpty("r3")).isTrue();
    assertThat(store.openerOf("r3")).isEmpty();
  }

  private static RoomStore.MemberRecord member(long joinedAt) {
    return new RoomStore.MemberRecord("m-" + joinedAt, "pod-a", "session-" + joinedAt, "endpoint-" + joinedAt, false,
        java.util.Map.of(), true, true, joinedAt, 0, false, null, null, null);
  }

  @Test
  void aMemberJoinsAnOpenRoomOnceByName() {
    save("r", ROOM);

    assertThat(store.addMember("r", "pipe-1", "alice", member(1), 10)).isEqualTo(Added.ADDED);
    assertThat(store.addMember("r", "pipe-1", "alice", member(2), 10)).isEqualTo(Added.NAME_TAKEN);
    assertThat(store.addMember("r", "pipe-1", "bob", member(3), 10)).isEqualTo(Added.ADDED);

    assertThat(store.members("r")).containsOnlyKeys("alice", "bob");
    assertThat(store.members("r").get("alice")).isEqualTo(member(1));
    // A room at its limit takes nobody more; a name already in it is still told apart.
    assertThat(store.addMember("r", "pipe-1", "carol", member(4), 2)).isEqualTo(Added.ROOM_FULL);
    assertThat(store.addMember("r", "pipe-1", "bob", member(4), 2)).isEqualTo(Added.NAME_TAKEN);
    assertThat(store.members("r")).containsOnlyKeys("alice", "bob");
  }

  @Test
  void anAdditionAnswersWithTheMembersAsOfItInJoinOrder() {
    save("r", ROOM);
    store.addMember("r", "pipe-1", "zoe", member(1), 10);
    store.addMember("r", "pipe-1", "bob", member(2), 10);

    RoomStore.Admission admission = store.admit("r", "pipe-1", "alice", member(3), 10);

    assertThat(admission.added()).isEqualTo(Added.ADDED);
    assertThat(admission.members()).containsExactly(java.util.Map.entry("zoe", member(1)),
        java.util.Map.entry("bob", member(2)), java.util.Map.entry("alice", member(3)));
    // A refusal answers with no members.
    assertThat(store.admit("r", "pipe-1", "bob", member(4), 10))
        .isEqualTo(new RoomStore.Admission(Added.NAME_TAKEN, java.util.Map.of()));
    assertThat(store.admit("r", "pipe-0", "carol", member(4), 10).added()).isEqualTo(Added.ROOM_GONE);
    assertThat(store.admit("r", "pipe-1", "carol", member(4), 3).added()).isEqualTo(Added.ROOM_FULL);
  }

  @Test
  void noMemberIsAddedToARoomThatClosedMeanwhile() {
    save("r", ROOM);
    assertThat(store.addMember("r", "pipe-1", "alice", member(1), 10)).isEqualTo(Added.ADDED);
    assertThat(store.removeMember("r", "alice", "m-1", "pod-a").left()).isZero();
    assertThat(store.deleteIfEmpty("r")).isTrue();

    assertThat(store.addMember("r", "pipe-1", "bob", member(2), 10)).isEqualTo(Added.ROOM_GONE);

    // Nothing of the room is left but its sequence counter, which outlives it (a room opened again counts on).
    assertThat(redis.template.keys("sb:*")).containsExactly(io.switchboard.signaling.redis.SignalingKeys.roomSequence("r"));
  }

  @Test
  void noMemberIsAddedToTheOldPipelineOfAReopenedRoom() {
    save("r", new RoomStore.RoomRecord("kms-1", "ws://127.0.0.1:2/kurento", "pipe-2"));

    assertThat(store.addMember("r", "pipe-1", "bob", member(2), 10)).isEqualTo(Added.ROOM_GONE);

    assertThat(store.members("r")).isEmpty();
  }

  @Test
  void aRoomWithAMemberIsNotDeleted() {
    save("r", ROOM);
    store.addMember("r", "pipe-1", "alice", member(1), 10);

    assertThat(store.deleteIfEmpty("r")).isFalse();

    assertThat(store.room("r")).contains(ROOM);
  }

  @Test
  void onlyThePodARecordNamesChangesIt() {
    save("r", ROOM);
    store.addMember("r", "pipe-1", "alice", member(1), 10);
    RoomStore.MemberRecord subscribed = member(1).withPublishing(true)
        .withSubscriptions(java.util.Map.of("bob", "pipe-1/endpoint-9", "carol dé", "pipe-1/endpoint-10"));

    assertThat(store.replaceMember("r", "alice", "pod-a", "endpoint-1", subscribed)).isTrue();
    assertThat(store.member("r", "alice")).contains(subscribed);
    // Pod B takes Alice over; pod A can no longer write or remove her.
    assertThat(store.replaceMember("r", "alice", "pod-a", "endpoint-1", subscribed.withPod("pod-b"))).isTrue();
    assertThat(store.replaceMember("r", "alice", "pod-a", "endpoint-1", subscribed.parked(5))).isFalse();
    assertThat(store.removeMember("r", "alice", "m-1", "pod-a").left()).isEqualTo(-1);
    // Nor can anyone act on an earlier membership under the same name.
    RoomStore.MemberRecord earlier = new RoomStore.MemberRecord("m-0", "pod-b", "s", "e", false, java.util.Map.of(),
        true, true, 0, 0, false, null, null, null);
    assertThat(store.replaceMember("r", "alice", "pod-b", "endpoint-1", earlier)).isFalse();
    assertThat(store.removeMember("r", "alice", "m-0", "pod-b").left()).isEqualTo(-1);

    assertThat(store.member("r", "alice")).contains(subscribed.withPod("pod-b"));
    // A rebuild of the room's media gives her a new publisher: a write that still knows the old one fails.
    RoomStore.MemberRecord rebuilt = subscribed.withPod("pod-b").rebuiltWith("pipe-2/endpoint-1");
    assertThat(rebuilt.subscriptions()).isEmpty();
    assertThat(rebuilt.publishing()).isFalse();
    assertThat(rebuilt.mediaMoved()).isTrue();
    assertThat(store.replaceMember("r", "alice", "pod-b", "endpoint-1", rebuilt)).isTrue();
    assertThat(store.replaceMember("r", "alice", "pod-b", "endpoint-1", subscribed.withPod("pod-b"))).isFalse();
    assertThat(store.member("r", "alice")).contains(rebuilt);
    // The removal hands back the record as it was removed, with the publisher the rebuild gave it.
    assertThat(store.removeMember("r", "alice", "m-1", "pod-b")).extracting(RoomStore.Removal::left,
        RoomStore.Removal::removed).containsExactly(0L, rebuilt);
    assertThat(store.member("r", "alice")).isEmpty();
    assertThat(store.replaceMember("r", "alice", "pod-b", "pipe-2/endpoint-1", rebuilt)).isFalse();
  }

  @Test
  void joinsAndLeavesAreNumberedInTheirOwnStepOnTheRoomsCounter() {
    save("r", ROOM);
    long alice = store.admit("r", "pipe-1", "alice", member(1), 10).sequence();
    long bob = store.admit("r", "pipe-1", "bob", member(2), 10).sequence();
    assertThat(store.admit("r", "pipe-1", "bob", member(3), 10).sequence()).as("not added: no number").isZero();
    long aliceLeft = store.removeMember("r", "alice", "m-1", "pod-a").sequence();
    assertThat(store.removeMember("r", "alice", "m-1", "pod-a").sequence()).as("not removed: no number").isZero();
    assertThat(java.util.List.of(alice, bob, aliceLeft)).containsExactly(1L, 2L, 3L);
    // The same counter numbers the room's other events when they are sent, and outlives the room.
    assertThat(new io.switchboard.signaling.presence.redis.RedisRoomSequences(redis.template).next("r")).isEqualTo(4);
    assertThat(redis.template.getExpire(io.switchboard.signaling.redis.SignalingKeys.roomSequence("r"))).isPositive();
  }

  @Test
  void aSnapshotReadsTheRoomAndTakesItsNumberInOneStep() {
    assertThat(store.snapshot("r")).as("no record: nothing numbered").isEmpty();
    save("r", ROOM);
    store.admit("r", "pipe-1", "bob", member(2), 10);
    store.admit("r", "pipe-1", "alice", member(1), 10);
    RoomStore.Snapshot snapshot = store.snapshot("r").orElseThrow();
    assertThat(snapshot.room()).isEqualTo(ROOM);
    assertThat(snapshot.members()).containsOnlyKeys("alice", "bob");
    assertThat(snapshot.members().keySet()).as("in join order").containsExactly("alice", "bob");
    assertThat(snapshot.sequence()).isEqualTo(3);
    assertThat(store.removeMember("r", "alice", "m-1", "pod-a").sequence()).isEqualTo(4);
    assertThat(store.snapshot("r").orElseThrow().members()).containsOnlyKeys("bob");
    store.removeMember("r", "bob", "m-2", "pod-a");
    assertThat(store.deleteIfEmpty("r")).isTrue();
    assertThat(store.snapshot("r")).isEmpty();
    assertThat(new io.switchboard.signaling.presence.redis.RedisRoomSequences(redis.template).next("r")).isEqualTo(7);
  }

  @Test
  void onlyAParkedMemberWhoseWaitRanOutExpires() {
    save("r", ROOM);
    store.addMember("r", "pipe-1", "alice", member(1), 10);
    store.addMember("r", "pipe-1", "bob", member(2), 10);

    assertThat(store.removeExpiredMember("r", "alice", "m-1", 1_000).left()).as("connected").isEqualTo(-1);
    store.replaceMember("r", "alice", "pod-a", "endpoint-1", member(1).parked(2_000));
    assertThat(store.removeExpiredMember("r", "alice", "m-1", 1_999).left()).as("still waiting").isEqualTo(-1);
    assertThat(store.removeExpiredMember("r", "alice", "m-0", 2_000).left()).as("another membership").isEqualTo(-1);
    assertThat(store.removeExpiredMember("r", "alice", "m-1", 2_000)).extracting(RoomStore.Removal::left,
        RoomStore.Removal::removed).containsExactly(1L, member(1).parked(2_000));
    assertThat(store.removeExpiredMember("r", "alice", "m-1", 2_000).left()).as("once").isEqualTo(-1);
    assertThat(store.members("r")).containsOnlyKeys("bob");
  }
}
