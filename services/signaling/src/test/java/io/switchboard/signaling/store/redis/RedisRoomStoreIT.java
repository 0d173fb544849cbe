package io.switchboard.signaling.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.signaling.domain.RoomStore;
import io.switchboard.signaling.domain.RoomStore.Added;
import io.switchboard.testing.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The room store's atomic steps against a real redis-server. */
class RedisRoomStoreIT {

  static RedisServerProcess redis;
  static LettuceConnectionFactory factory;
  static StringRedisTemplate template;
  RedisRoomStore store;

  static final RoomStore.RoomRecord ROOM = new RoomStore.RoomRecord("kms-0", "ws://127.0.0.1:1/kurento", "pipe-1");

  @BeforeAll
  static void start() {
    redis = RedisServerProcess.start();
    factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
    factory.afterPropertiesSet();
    factory.start();
    template = new StringRedisTemplate(factory);
  }

  @AfterAll
  static void stop() {
    factory.destroy();
    redis.close();
  }

  @BeforeEach
  void empty() {
    template.execute((org.springframework.data.redis.core.RedisCallback<Object>) c -> {
      c.serverCommands().flushAll();
      return null;
    });
    store = new RedisRoomStore(template);
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

    assertThat(template.keys("sb:*")).isEmpty();
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
