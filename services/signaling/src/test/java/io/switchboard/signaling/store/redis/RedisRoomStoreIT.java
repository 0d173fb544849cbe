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

  private static RoomStore.MemberRecord member(long joinedAt) {
    return new RoomStore.MemberRecord("pod-a", "endpoint-" + joinedAt, true, true, joinedAt);
  }

  @Test
  void aMemberJoinsAnOpenRoomOnceByName() {
    store.saveRoom("r", ROOM);

    assertThat(store.addMember("r", "pipe-1", "alice", member(1))).isEqualTo(Added.ADDED);
    assertThat(store.addMember("r", "pipe-1", "alice", member(2))).isEqualTo(Added.NAME_TAKEN);
    assertThat(store.addMember("r", "pipe-1", "bob", member(3))).isEqualTo(Added.ADDED);

    assertThat(store.members("r")).containsOnlyKeys("alice", "bob");
    assertThat(store.members("r").get("alice").publisherEndpoint()).isEqualTo("endpoint-1");
  }

  @Test
  void noMemberIsAddedToARoomThatClosedMeanwhile() {
    store.saveRoom("r", ROOM);
    assertThat(store.addMember("r", "pipe-1", "alice", member(1))).isEqualTo(Added.ADDED);
    assertThat(store.removeMember("r", "alice")).isZero();
    assertThat(store.deleteIfEmpty("r")).isTrue();

    assertThat(store.addMember("r", "pipe-1", "bob", member(2))).isEqualTo(Added.ROOM_GONE);

    assertThat(redis.template.keys("sb:*")).isEmpty();
  }

  @Test
  void noMemberIsAddedToTheOldPipelineOfAReopenedRoom() {
    store.saveRoom("r", new RoomStore.RoomRecord("kms-1", "ws://127.0.0.1:2/kurento", "pipe-2"));

    assertThat(store.addMember("r", "pipe-1", "bob", member(2))).isEqualTo(Added.ROOM_GONE);

    assertThat(store.members("r")).isEmpty();
  }

  @Test
  void aRoomWithAMemberIsNotDeleted() {
    store.saveRoom("r", ROOM);
    store.addMember("r", "pipe-1", "alice", member(1));

    assertThat(store.deleteIfEmpty("r")).isFalse();

    assertThat(store.room("r")).contains(ROOM);
  }
}
