package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.testing.KmsEmulatorFleet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A pod whose request threads are all waiting on a slow KMS is busy, not dead: its liveness probe
 * is answered by the management port's own threads, so Kubernetes does not restart a healthy pod
 * because a media node is slow.
 */
class LivenessIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(1);
  static final PlacementStub PLACEMENT = new PlacementStub(REDIS.url(), () -> KMS.node(0).url());
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @AfterAll
  static void stop() {
    PLACEMENT.close();
    KMS.close();
    REDIS.close();
  }

  static int status(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void aPodWhoseRequestThreadsWaitOnKmsStaysAlive() throws Exception {
    try (ConfigurableApplicationContext pod = SignalingPods.start(REDIS.url(), PLACEMENT.url(),
        "--switchboard.signaling.pod-id=busy-pod", "--switchboard.presence.enabled=false",
        "--server.tomcat.threads.max=2", "--server.tomcat.threads.min-spare=1",
        "--switchboard.signaling.kms-request-timeout=20s")) {
      KMS.node(0).faults().latency(Duration.ofSeconds(6));
      List<BrowserSocket> joiners = new ArrayList<>();
      try {
        // Two joins into two new rooms: each holds one of the two request threads while KMS makes
        // its pipeline.
        for (int i = 0; i < 2; i++) {
          BrowserSocket socket = new BrowserSocket(SignalingPods.url(pod));
          joiners.add(socket);
          socket.send(message("joinRoom").put("name", "p" + i).put("room", "slow-" + i));
        }
        // Each join asks placement for its room, then waits on KMS holding its thread.
        await().atMost(Duration.ofSeconds(15)).until(() -> PLACEMENT.calls().containsAll(
            List.of("PUT /v1/rooms/slow-0/placement", "PUT /v1/rooms/slow-1/placement")));
        // The public port's threads are all taken: a plain request there waits...
        assertThatThrownBy(() -> status(SignalingPods.port(pod), "/groupcall"))
            .isInstanceOf(HttpTimeoutException.class);
        // ...and the probes, on the management port, answer at once.
        assertThat(status(SignalingPods.managementPort(pod), "/actuator/health/liveness")).isEqualTo(200);
        assertThat(status(SignalingPods.managementPort(pod), "/actuator/health/readiness")).isEqualTo(200);
      } finally {
        KMS.node(0).faults().clear();
        joiners.forEach(BrowserSocket::close);
      }
    }
  }
}
