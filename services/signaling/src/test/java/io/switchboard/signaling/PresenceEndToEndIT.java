package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static io.switchboard.signaling.CallSteps.joined;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.presence.PresenceContract;
import io.switchboard.launchers.KafkaBrokerProcess;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.launchers.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Presence end to end: a signaling pod's room changes reach the state service's view (state.jar,
 * its own process) through a real Kafka broker that stops and comes back in the middle: the view
 * ends exactly as the room is — nothing lost, nothing applied twice.
 */
class PresenceEndToEndIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(1);
  static final PlacementStub PLACEMENT = new PlacementStub(REDIS.url(), () -> KMS.node(0).url());
  static final KafkaBrokerProcess KAFKA = KafkaBrokerProcess.start(PresenceContract.TOPIC,
      PresenceContract.DEAD_LETTER_TOPIC);

  @AfterAll
  static void stop() {
    KAFKA.close();
    PLACEMENT.close();
    KMS.close();
    REDIS.close();
  }

  private static JsonNode get(ServiceProcess state, String path) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(state.baseUrl() + path))
              .header("Authorization", io.switchboard.testing.TestCredentials.SERVICE_AUTHORIZATION).build(), HttpResponse.BodyHandlers.ofString());
      return BrowserSocket.JSON.readTree(r.statusCode() == 200 ? r.body() : "{\"status\":" + r.statusCode() + "}");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theViewEndsExactlyAsTheRoomIsAcrossABrokerOutage() {
    try (ServiceProcess state = ServiceProcess.start("state", "--spring.data.redis.url=" + REDIS.url(),
            "--spring.kafka.bootstrap-servers=" + KAFKA.bootstrapServers(), "--switchboard.state.partitions=2",
            io.switchboard.testing.TestCredentials.SERVICE_TOKEN_SETTING);
        ConfigurableApplicationContext pod = SignalingPods.start(REDIS.url(), PLACEMENT.url(),
            "--spring.kafka.bootstrap-servers=" + KAFKA.bootstrapServers());
        BrowserSocket alice = new BrowserSocket(SignalingPods.url(pod));
        BrowserSocket bob = new BrowserSocket(SignalingPods.url(pod))) {
      joined(alice, "alice", "live");
      await().atMost(Duration.ofSeconds(30)).until(() -> get(state, "/v1/rooms/live").path("participants").size() == 1);

      KAFKA.stop();
      joined(bob, "bob", "live");
      bob.send(message("mediaState").put("audio", false).put("video", true));
      bob.next("participantMediaState");
      for (int i = 0; i < 3; i++) {
        try (BrowserSocket guest = new BrowserSocket(SignalingPods.url(pod))) {
          joined(guest, "guest" + i, "live");
          guest.send(message("leaveRoom"));
        }
      }
      alice.send(message("mediaState").put("audio", true).put("video", false));
      alice.next("participantMediaState");
      KAFKA.restart();

      // 1 opened, alice, bob, bob muted, 3 × (joined, left), alice's camera off: 11 events.
      await().atMost(Duration.ofSeconds(60)).until(() -> get(state, "/v1/rooms/live").path("sequence").asLong() == 11);
      JsonNode room = get(state, "/v1/rooms/live");
      assertThat(room.path("participants")).hasSize(2);
      JsonNode a = room.path("participants").get(0);
      JsonNode b = room.path("participants").get(1);
      assertThat(a.path("name").asText()).isEqualTo("alice");
      assertThat(a.path("audio").asBoolean()).isTrue();
      assertThat(a.path("video").asBoolean()).isFalse();
      assertThat(b.path("name").asText()).isEqualTo("bob");
      assertThat(b.path("audio").asBoolean()).isFalse();
      assertThat(get(state, "/v1/users/guest1/presence").path("rooms")).isEmpty();
      assertThat(get(state, "/v1/users/bob/presence").path("rooms").get(0).path("state").asText())
          .isEqualTo("connected");
      // Every event applied once: eleven changes in the view's change stream, nothing stale.
      assertThat(PLACEMENT.redis().xlen("st:{view}:changes")).isEqualTo(11);
      JsonNode stale = get(state, "/actuator/metrics/switchboard.state.events?tag=outcome:stale");
      assertThat(stale.path("measurements").get(0).path("value").asDouble()).isZero();
    }
  }
}
