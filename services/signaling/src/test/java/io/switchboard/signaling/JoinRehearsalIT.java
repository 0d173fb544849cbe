package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.ScanArgs;
import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.signaling.config.JoinRehearsals;
import io.switchboard.signaling.domain.GroupCallService;
import io.switchboard.signaling.domain.MediaServer;
import io.switchboard.signaling.domain.PodRegistry;
import io.switchboard.signaling.domain.RehearsalCalls;
import io.switchboard.signaling.domain.RoomEvents;
import io.switchboard.signaling.domain.RoomLimits;
import io.switchboard.signaling.domain.RoomStore;
import io.switchboard.signaling.redis.SignalingKeys;
import io.switchboard.signaling.ws.GroupCallSocketHandler;
import io.switchboard.signaling.ws.JoinRehearsal;
import io.switchboard.signaling.ws.SocketRehearsal;
import io.switchboard.testing.KmsEmulatorFleet;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Before it turns ready a pod rehearses a meeting's first minutes (docs/operations.md,
 * {@code join-rehearsal-rooms}): rooms joined all at once over its own port, every stream
 * negotiated, then left — through a call service nobody outside the pod hears of. Nothing is
 * placed, counted, entered as served or left behind in Redis or on KMS.
 */
class JoinRehearsalIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(1);
  static final PlacementStub PLACEMENT = new PlacementStub(REDIS.url(), () -> KMS.node(0).url());
  /** A pod whose warm-up finds the node in placement's registry, rehearsing two rooms as it starts. */
  static final ConfigurableApplicationContext POD = startWithAKnownNode();
  /** Rehearsal sockets the pod had served once it was ready (the tests here add their own). */
  static final long SOCKETS_AT_START = POD.getBean(GroupCallSocketHandler.class).rehearsalSockets();

  static ConfigurableApplicationContext startWithAKnownNode() {
    PLACEMENT.redis().sadd(PlacementKeys.nodes(), "kms-0");
    PLACEMENT.redis().hset(PlacementKeys.node("kms-0"), Map.of("url", KMS.node(0).url(), "state", "UP"));
    return SignalingPods.start(REDIS.url(), PLACEMENT.url(), "--switchboard.signaling.join-rehearsal-rooms=2");
  }

  @AfterAll
  static void stop() {
    POD.close();
    PLACEMENT.close();
    KMS.close();
    REDIS.close();
  }

  @Test
  void aPodRehearsesJoinsBeforeItIsReadyAndNothingOutsideItHearsOfThem() {
    assertThat(SOCKETS_AT_START).as("one socket refused before it joins, then 2 rooms of 5").isEqualTo(11);
    assertThat(PLACEMENT.calls()).as("nothing placed").noneMatch(call -> call.startsWith("PUT"));
    assertThatNothingIsLeftBehind();
    io.micrometer.core.instrument.MeterRegistry registry = POD.getBean(io.micrometer.core.instrument.MeterRegistry.class);
    assertThat(registry.find("switchboard.signaling.messages").counters()).as("no message counted")
        .allMatch(c -> c.count() == 0);
    assertThat(POD.getBean(GroupCallService.class).localParticipants()).isZero();
  }

  @Test
  void everyStreamOfEveryRoomIsAnsweredAndTheRoomsAreGoneAfterwards() {
    JoinRehearsal.Outcome outcome = rehearsals().run(URI.create(SignalingPods.url(POD)), KMS.node(0).url(), 3);
    assertThat(outcome.joined()).isEqualTo(15);
    assertThat(outcome.answered()).as("each of 15 publishes and receives 4 others").isEqualTo(75);
    assertThat(outcome.expected()).isEqualTo(75);
    assertThat(outcome.roomIds()).hasSize(3).allMatch(id -> id.startsWith("~"), "a hashed room id");
    for (String roomId : outcome.roomIds()) {
      assertThat(PLACEMENT.redis().exists(SignalingKeys.room(roomId), SignalingKeys.roomMembers(roomId),
          SignalingKeys.roomSequence(roomId))).as(roomId).isZero();
    }
    assertThatNothingIsLeftBehind();
  }

  @Test
  void aRehearsalSocketJoinsOnlyTheRehearsalsRoomsAndNeverResumes() throws Exception {
    GroupCallSocketHandler handler = POD.getBean(GroupCallSocketHandler.class);
    GroupCallService rehearsal = RehearsalCalls.create(POD.getBean(RoomStore.class), POD.getBean(PodRegistry.class),
        POD.getBean(MediaServer.class), POD.getBean(RoomEvents.class), Clock.systemUTC(),
        POD.getBean(GroupCallService.class).podId(), KMS.node(0).url(), new RoomLimits(5, true, false, "file:///x"));
    String key = handler.openRehearsal(rehearsal);
    try (BrowserSocket socket = new BrowserSocket(SignalingPods.url(POD), Map.of(SocketRehearsal.HEADER, key))) {
      socket.send(message("resume").put("token", "pV0c1cYqZ7Wm3w2m0b0x4l8N3l5y0Qe6m9Tq2Kc1Hk4"));
      JsonNode refused = socket.next("error");
      assertThat(refused.path("code").asText()).isEqualTo("not-allowed");
      assertThat(refused.path("message").asText()).isEqualTo("a rehearsal socket resumes nothing");
      socket.send(message("joinRoom").put("name", "p0").put("room", RehearsalCalls.roomName("it", 0)));
      assertThat(socket.next("existingParticipants").path("data")).isEmpty();
      assertThat(POD.getBean(GroupCallService.class).localParticipants()).as("the pod's own service").isZero();
      socket.send(message("leaveRoom"));
    } finally {
      handler.closeRehearsal();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (handler.openRehearsalSockets() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    rehearsal.closeUnstarted(Duration.ofSeconds(5));
    String roomId = io.switchboard.signaling.domain.RoomIds.of(RehearsalCalls.roomName("it", 0));
    assertThat(PLACEMENT.redis().exists(SignalingKeys.room(roomId), SignalingKeys.roomMembers(roomId))).isZero();
    assertThat(KMS.node(0).server().count("MediaPipeline")).as("its pipeline released").isZero();
    PLACEMENT.redis().del(SignalingKeys.roomSequence(roomId));
  }

  private static JoinRehearsals rehearsals() {
    return new JoinRehearsals(POD.getBean(GroupCallSocketHandler.class), POD.getBean(GroupCallService.class),
        POD.getBean(RoomStore.class), POD.getBean(PodRegistry.class), POD.getBean(MediaServer.class),
        POD.getBean(RoomEvents.class), Clock.systemUTC(), POD.getBean(StringRedisTemplate.class), "file:///x");
  }

  /** No room, member, sequence or served entry in Redis; no pipeline or endpoint on KMS. */
  private static void assertThatNothingIsLeftBehind() {
    List<String> keys = PLACEMENT.redis().scan(ScanArgs.Builder.matches(SignalingKeys.PREFIX + "*").limit(1000))
        .getKeys();
    assertThat(keys).as("signaling's keys").noneMatch(k -> k.contains("{room:") || k.startsWith(SignalingKeys.podMembers("")));
    assertThat(KMS.node(0).server().count("MediaPipeline")).isZero();
    assertThat(KMS.node(0).server().count("WebRtcEndpoint")).isZero();
  }
}
