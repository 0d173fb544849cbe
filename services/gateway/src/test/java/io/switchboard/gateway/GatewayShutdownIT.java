package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayFixture.url;
import static io.switchboard.gateway.GatewaySocket.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.launchers.LoopbackPorts;
import io.switchboard.launchers.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A gateway replica that stops (SIGTERM, as a rolling update sends it) tells every socket it
 * proxies to {@code reconnect} and closes it with 1012 at once, instead of holding it until its
 * graceful shutdown gives up; the participant resumes its session through another replica.
 */
class GatewayShutdownIT {

  static final GatewayFixture STACK = GatewayFixture.shared();
  /** The replica that stays. */
  static final ConfigurableApplicationContext OTHER = STACK.gateway();

  /** A replica of its own (its own process, from gateway.jar), in front of the same pods. */
  static ServiceProcess replica() {
    List<String> settings = new ArrayList<>(List.of("--spring.data.redis.url=" + STACK.redis.url(),
        "--switchboard.gateway.placement-url=" + STACK.placement.baseUrl(),
        "--switchboard.gateway.identity-secret=" + GatewayFixture.IDENTITY_SECRET,
        io.switchboard.testing.TestCredentials.SERVICE_TOKEN_SETTING,
        "--switchboard.gateway.shutdown-drain=10s",
        "--spring.cloud.loadbalancer.health-check.interval=1s"));
    for (int i = 0; i < STACK.pods.size(); i++) {
      settings.add("--spring.cloud.discovery.client.simple.instances.signaling[" + i + "].uri="
          + STACK.pods.get(i).baseUrl());
    }
    return ServiceProcess.startWithManagementPort("gateway", LoopbackPorts.free(), LoopbackPorts.free(), null,
        settings.toArray(String[]::new));
  }

  @Test
  void aStoppingReplicaSendsItsSocketsToReconnectAndTheyResumeElsewhere() throws Exception {
    try (ServiceProcess replica = replica()) {
      String through = "ws://127.0.0.1:" + replica.port() + "/groupcall?room=rolling";
      GatewaySocket alice = GatewaySocket.to(through).open();
      GatewaySocket bob = GatewaySocket.to(through).open();
      String aliceSession = alice.join("alice", "rolling");
      bob.join("bob", "rolling");
      assertThat(alice.next("newParticipantArrived").path("name").asString()).isEqualTo("bob");

      replica.terminate();
      assertThat(alice.next("reconnect").path("reason").asString()).contains("gateway is stopping");
      assertThat(alice.awaitClose().code()).isEqualTo(1012);
      assertThat(bob.awaitClose().code()).isEqualTo(1012);
      // Closed by the gateway with 1012 (come back at once), not dropped when its grace runs out.
      // Alice comes back at once (the fixture's pods wait only 2 s for a resume) through the
      // replica that stays, and is who she was.
      GatewaySocket again = GatewaySocket.to(url(OTHER, "/groupcall?room=rolling")).open();
      again.send(message("resume").put("token", aliceSession));
      assertThat(again.next("resumed").path("name").asString()).isEqualTo("alice");
      again.close();
      assertThat(replica.awaitExit(Duration.ofSeconds(30))).isTrue();
    }
  }
}
