package io.switchboard.signaling.events.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.signaling.domain.RoomEvents;
import io.switchboard.testing.RedisFixture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Room events between two pods over a real redis-server: each hears the other's through Redis and
 * its own at once, never twice.
 */
class RedisRoomEventsIT {

  @RegisterExtension
  static final RedisFixture redis = new RedisFixture();

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final RoomEvents.Joined ALICE_JOINED = new RoomEvents.Joined("alice", "m1", "pod-a", true, true);
  private static final RoomEvents.ChatSent ALICE_WROTE = new RoomEvents.ChatSent("alice", "m1", "pod-a", "hi", null, 1);
  private static final RoomEvents.Left ALICE_LEFT = new RoomEvents.Left("alice", "m1", "pod-a");
  private static final RoomEvents.Joined BOB_JOINED = new RoomEvents.Joined("bob", "m2", "pod-b", true, false);

  RedisRoomEvents podA;
  RedisRoomEvents podB;
  final List<RoomEvents.RoomEvent> heardOnA = new CopyOnWriteArrayList<>();
  final List<RoomEvents.RoomEvent> heardOnB = new CopyOnWriteArrayList<>();

  private static RedisRoomEvents pod(StringRedisTemplate template) {
    return new RedisRoomEvents(template, (io.lettuce.core.RedisClient) redis.factory.getRequiredNativeClient(),
        Duration.ofSeconds(2), new SimpleMeterRegistry());
  }

  @BeforeEach
  void twoPodsFollowTheRoom() {
    redis.flush();
    podA = pod(redis.template);
    podB = pod(redis.template);
    podA.follow("r", heardOnA::add);
    podB.follow("r", heardOnB::add);
  }

  @AfterEach
  void close() {
    podA.close();
    podB.close();
  }

  @Test
  void aPodHearsItsOwnEventsOnceInTheOrderItPublishedThemAndTheOthersThroughRedis() {
    podA.publish("r", ALICE_JOINED);
    podA.publish("r", ALICE_WROTE);
    podA.publish("r", ALICE_LEFT);
    // Published after Redis took A's three: when A hears it, A's echoes have come and gone before it.
    podB.publish("r", BOB_JOINED);

    await().atMost(WAIT).until(() -> heardOnA.contains(BOB_JOINED) && heardOnB.size() == 4);
    assertThat(heardOnA).containsExactly(ALICE_JOINED, ALICE_WROTE, ALICE_LEFT, BOB_JOINED);
    assertThat(heardOnB).containsExactly(ALICE_JOINED, ALICE_WROTE, ALICE_LEFT, BOB_JOINED);
  }

  /** A pod about to turn ready opens its subscriber connection ahead, and leaves no channel followed. */
  @Test
  void aPodPreparedAheadHasItsSubscriberConnectionOpenAndFollowsNothingMore() {
    RedisRoomEvents fresh = pod(redis.template);
    try {
      long before = clients();
      fresh.prepare();
      assertThat(clients()).as("its subscriber connection").isEqualTo(before + 1);
      assertThat(channels()).as("only the room the two pods follow").containsExactly(RedisRoomEvents.channel("r"));

      fresh.follow("r2", event -> { });
      assertThat(clients()).as("the same connection follows rooms").isEqualTo(before + 1);
    } finally {
      fresh.close();
    }
  }

  /** Redis away when a pod prepares: nothing is thrown, and the connection is opened on first use. */
  @Test
  void aPodThatCannotPrepareAheadSaysNothingWorseThanALogLine() {
    io.lettuce.core.RedisClient nowhere =
        io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + io.switchboard.launchers.LoopbackPorts.free());
    try {
      RedisRoomEvents unreachable = new RedisRoomEvents(redis.template, nowhere, Duration.ofSeconds(1),
          new SimpleMeterRegistry());
      unreachable.prepare();
      assertThatThrownBy(() -> unreachable.follow("r", event -> { }))
          .as("following, later, still says what is wrong").hasMessageContaining("Redis is unreachable");
      unreachable.close();
    } finally {
      nowhere.shutdown();
    }
  }

  /** A question to Redis on a connection of the test's own (counted among the clients while it is open). */
  static <T> T ask(java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> question) {
    try (var connection = ((io.lettuce.core.RedisClient) redis.factory.getRequiredNativeClient()).connect()) {
      return question.apply(connection.sync());
    }
  }

  long clients() {
    return ask(r -> r.clientList().lines().count());
  }

  List<String> channels() {
    return ask(r -> r.pubsubChannels().stream().sorted().toList());
  }

  @Test
  void aPodsOwnEventDoesNotWaitForRedisToBringItBack() {
    // Redis no longer sends this room's channel to A: what A hears of its own event comes from A.
    podA.subscriptions().sync().unsubscribe(RedisRoomEvents.channel("r"));
    podA.publish("r", ALICE_JOINED);

    await().atMost(WAIT).until(() -> heardOnA.size() == 1 && heardOnB.size() == 1);
    assertThat(heardOnA).containsExactly(ALICE_JOINED);
    assertThat(heardOnB).containsExactly(ALICE_JOINED);
  }

  @Test
  void anEchoOfAPodsOwnEventIsIgnoredAndAnotherPodsIsNot() {
    String channel = RedisRoomEvents.channel("r");
    redis.template.convertAndSend(channel, RedisRoomEvents.encode(ALICE_JOINED, podA.origin));
    redis.template.convertAndSend(channel, RedisRoomEvents.encode(BOB_JOINED, podB.origin));
    // From a pod that predates origins: everyone hears it.
    redis.template.convertAndSend(channel, "{\"type\":\"LEFT\",\"name\":\"alice\",\"memberId\":\"m1\",\"pod\":\"pod-a\","
        + "\"audio\":false,\"video\":false,\"text\":null,\"to\":null,\"ts\":0,\"published\":false}");

    await().atMost(WAIT).until(() -> heardOnA.size() == 2 && heardOnB.size() == 2);
    assertThat(heardOnA).as("A's own echo ignored").containsExactly(BOB_JOINED, ALICE_LEFT);
    assertThat(heardOnB).as("B's own echo ignored").containsExactly(ALICE_JOINED, ALICE_LEFT);
  }

  @Test
  void anEventRedisDidNotTakeIsHeardByNobodyNotEvenItsPublisher() {
    LettuceConnectionFactory nowhere = new LettuceConnectionFactory(
        new RedisStandaloneConfiguration("127.0.0.1", unusedPort()));
    nowhere.afterPropertiesSet();
    nowhere.start();
    StringRedisTemplate unreachable = new StringRedisTemplate(nowhere);
    unreachable.afterPropertiesSet();
    // Follows through the real Redis (the fixture's client), publishes to one that is not there.
    RedisRoomEvents podC = pod(unreachable);
    List<RoomEvents.RoomEvent> heardOnC = new CopyOnWriteArrayList<>();
    try {
      podC.follow("r", heardOnC::add);
      assertThatThrownBy(() -> podC.publish("r", ALICE_JOINED))
          .isInstanceOf(org.springframework.dao.DataAccessException.class);
      podB.publish("r", BOB_JOINED);
      await().atMost(WAIT).until(() -> heardOnC.size() == 1 && heardOnA.size() == 1);
      assertThat(heardOnC).containsExactly(BOB_JOINED);
      assertThat(heardOnA).containsExactly(BOB_JOINED);
    } finally {
      podC.close();
      nowhere.destroy();
    }
  }

  @Test
  void afterUnfollowingAPodHearsNothingMoreOfTheRoomNotEvenItsOwn() {
    podA.unfollow("r");
    podA.publish("r", ALICE_JOINED);
    podB.publish("r", BOB_JOINED);

    await().atMost(WAIT).until(() -> heardOnB.size() == 2);
    assertThat(heardOnB).containsExactly(ALICE_JOINED, BOB_JOINED);
    assertThat(heardOnA).isEmpty();
  }

  private static int unusedPort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
