package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static io.switchboard.signaling.CallSteps.publish;
import static io.switchboard.signaling.CallSteps.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.switchboard.kms.emulator.KmsEmulator;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.launchers.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Switchboard's back end as it runs: the real placement service (placement.jar, its own process)
 * watching two KMS emulators, two signaling pods, one Redis. A three-participant call spread over
 * both pods is placed, reported and, when its KMS node dies, found DOWN by placement's own health
 * checks, announced, and rebuilt by signaling on the other node.
 */
class ClusterIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(2);
  static final ServiceProcess PLACEMENT = ServiceProcess.start("placement",
      "--spring.data.redis.url=" + REDIS.url(),
      "--switchboard.placement.nodes=" + KMS.urlList(),
      "--switchboard.placement.poll-interval=250ms",
      "--switchboard.placement.request-timeout=1s",
      "--switchboard.placement.failures-before-down=2", io.switchboard.testing.TestCredentials.SERVICE_TOKEN_SETTING);
  static final ConfigurableApplicationContext POD_A = SignalingPods.start(REDIS.url(), PLACEMENT.baseUrl(),
      "--switchboard.signaling.pod-id=pod-a", "--switchboard.signaling.kms-request-timeout=1500ms");
  static final ConfigurableApplicationContext POD_B = SignalingPods.start(REDIS.url(), PLACEMENT.baseUrl(),
      "--switchboard.signaling.pod-id=pod-b", "--switchboard.signaling.kms-request-timeout=1500ms");
  static final RedisClient REDIS_CLIENT = RedisClient.create(REDIS.url());
  static final StatefulRedisConnection<String, String> REDIS_CONNECTION = REDIS_CLIENT.connect();

  @AfterAll
  static void stop() {
    POD_A.close();
    POD_B.close();
    PLACEMENT.close();
    REDIS_CONNECTION.close();
    REDIS_CLIENT.shutdown();
    KMS.close();
    REDIS.close();
  }


  private static JsonNode get(String path) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(PLACEMENT.baseUrl() + path))
              .header("Authorization", io.switchboard.testing.TestCredentials.SERVICE_AUTHORIZATION).build(), HttpResponse.BodyHandlers.ofString());
      return BrowserSocket.JSON.readTree(response.statusCode() == 200 ? response.body() : "{\"status\":"
          + response.statusCode() + "}");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode node(String nodeId) {
    for (JsonNode n : get("/v1/nodes")) {
      if (n.path("id").asText().equals(nodeId)) {
        return n;
      }
    }
    throw new AssertionError("placement does not know " + nodeId);
  }




  @Test
  void aCallIsPlacedReportedAndRebuiltWhenPlacementFindsItsNodeDown() {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      JsonNode nodes = get("/v1/nodes");
      return nodes.size() == 2 && nodes.get(0).path("state").asText().equals("SERVING")
          && nodes.get(1).path("state").asText().equals("SERVING");
    });
    try (BrowserSocket alice = new BrowserSocket(SignalingPods.url(POD_A));
        BrowserSocket bob = new BrowserSocket(SignalingPods.url(POD_B));
        BrowserSocket carol = new BrowserSocket(SignalingPods.url(POD_A))) {
      // The tutorial's sequence: join, publish oneself, receive everyone already there.
      alice.send(message("joinRoom").put("name", "alice").put("room", "cluster"));
      alice.next("existingParticipants");
      publish(alice, "alice");
      bob.send(message("joinRoom").put("name", "bob").put("room", "cluster"));
      bob.next("existingParticipants");
      publish(bob, "bob");
      subscribe(bob, "alice");
      carol.send(message("joinRoom").put("name", "carol").put("room", "cluster"));
      carol.next("existingParticipants");
      publish(carol, "carol");
      subscribe(carol, "alice");
      subscribe(carol, "bob");

      JsonNode placed = get("/v1/rooms/cluster/placement");
      String first = placed.path("nodeId").asText();
      KmsEmulator firstKms = KMS.nodes().stream().filter(k -> k.url().equals(placed.path("kmsUrl").asText()))
          .findFirst().orElseThrow();
      // Signaling's load reports reached placement: 3 participants, 6 endpoints on the node.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        JsonNode n = node(first);
        assertThat(n.path("participants").asInt()).as("participants in " + n).isEqualTo(3);
        assertThat(n.path("endpoints").asInt()).as("endpoints in " + n).isEqualTo(6);
      });
      assertThat(firstKms.server().count("WebRtcEndpoint")).isEqualTo(6);

      firstKms.kill();
      // Placement's health checks find it DOWN (how soon depends on the machine's load), announce
      // its rooms; one signaling pod rebuilds.
      await().atMost(Duration.ofSeconds(60)).until(() -> node(first).path("state").asText().equals("DOWN"));
      for (BrowserSocket s : List.of(alice, bob, carol)) {
        assertThat(s.nextOf("mediaMoved").path("reason").asText()).contains("publish and subscribe again");
      }
      JsonNode moved = get("/v1/rooms/cluster/placement");
      assertThat(moved.path("nodeId").asText()).isNotEqualTo(first);
      KmsEmulator secondKms = KMS.nodes().stream().filter(k -> k.url().equals(moved.path("kmsUrl").asText()))
          .findFirst().orElseThrow();
      assertThat(REDIS_CONNECTION.sync().hget("sb:{room:cluster}", "nodeId")).isEqualTo(moved.path("nodeId").asText());

      // Everyone renegotiates on the new node.
      publish(alice, "alice");
      publish(bob, "bob");
      subscribe(bob, "alice");
      assertThat(secondKms.server().count("MediaPipeline")).isEqualTo(1);
      assertThat(secondKms.server().count("WebRtcEndpoint")).isEqualTo(4); // 3 publishers, 1 subscription
      for (BrowserSocket s : List.of(alice, bob, carol)) {
        assertThat(s.drain("error")).isEmpty();
        s.send(message("leaveRoom"));
      }
      // The room is gone everywhere: KMS, signaling's state, placement.
      await().atMost(Duration.ofSeconds(10)).until(() -> secondKms.server().mediaObjectCount() == 0);
      await().atMost(Duration.ofSeconds(5)).until(() -> get("/v1/rooms/cluster/placement").path("status").asInt() == 404);
      assertThat(REDIS_CONNECTION.sync().keys("sb:{room:cluster}*")).isEmpty();
    }
  }
}
