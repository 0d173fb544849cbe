package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.testing.KmsEmulatorFleet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A pod that starts while Redis is away (a Redis restart during a rollout, a node coming up first)
 * starts, alive and unready, instead of failing and being restarted over and over; it turns ready
 * when Redis is back, and serves calls, room events included.
 */
class StartWithoutRedisIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(1);
  static final PlacementStub PLACEMENT = new PlacementStub(REDIS.url(), () -> KMS.node(0).url());

  @AfterAll
  static void stop() {
    PLACEMENT.close();
    KMS.close();
    REDIS.close();
  }

  static int status(ConfigurableApplicationContext pod, String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + SignalingPods.managementPort(pod) + path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aPodStartsUnreadyWithoutRedisAndServesOnceItIsBack() throws Exception {
    REDIS.stop();
    try (ConfigurableApplicationContext pod = SignalingPods.start(REDIS.url(), PLACEMENT.url(),
        "--switchboard.signaling.pod-id=early-riser", "--switchboard.presence.enabled=false")) {
      assertThat(status(pod, "/actuator/health/liveness")).isEqualTo(200);
      assertThat(status(pod, "/actuator/health/readiness")).isEqualTo(503);

      REDIS.restart();
      await().atMost(Duration.ofSeconds(60)).until(() -> status(pod, "/actuator/health/readiness") == 200);
      try (BrowserSocket kim = new BrowserSocket(SignalingPods.url(pod));
          BrowserSocket lee = new BrowserSocket(SignalingPods.url(pod))) {
        CallSteps.joined(kim, "kim", "dawn");
        CallSteps.joined(lee, "lee", "dawn");
        // Room events flow: the subscriber connection was opened once Redis was there.
        assertThat(kim.next("newParticipantArrived").path("name").asText()).isEqualTo("lee");
        kim.send(message("leaveRoom"));
        assertThat(lee.next("participantLeft").path("name").asText()).isEqualTo("kim");
      }
    }
  }
}
