package io.switchboard.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.launchers.RedisServerProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A Redis outage makes placement unready, never dead: liveness must not depend on Redis. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ProbesIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.url", REDIS::url);
    registry.add("switchboard.service-token", () -> io.switchboard.testing.TestCredentials.SERVICE_TOKEN);
    registry.add("spring.data.redis.timeout", () -> "500ms");
  }

  @AfterAll
  static void stop() {
    REDIS.close();
  }

  @LocalServerPort
  int port;

  @org.springframework.beans.factory.annotation.Value("${local.management.port}")
  int managementPort;

  @Test
  void redisOutageMakesThePodUnreadyButNotDead() {
    Http http = new Http(port);
    Http actuator = new Http(managementPort);
    assertThat(actuator.get("/actuator/health/liveness").status()).isEqualTo(200);
    assertThat(actuator.get("/actuator/health/readiness").status()).isEqualTo(200);

    REDIS.stop();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> actuator.get("/actuator/health/readiness").status() == 503);
      assertThat(actuator.get("/actuator/health/liveness").status()).isEqualTo(200);
      Http.Response placement = http.put("/v1/rooms/r1/placement", null);
      assertThat(placement.status()).isEqualTo(503);
      assertThat(placement.json().path("code").asText()).isEqualTo("store-unavailable");
      assertThat(placement.header("Retry-After")).isEqualTo("1");
    } finally {
      REDIS.restart();
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> actuator.get("/actuator/health/readiness").status() == 200);
  }

  @Test
  void theActuatorIsOnlyOnTheManagementPort() {
    assertThat(managementPort).isNotEqualTo(port);
    for (String path : new String[] {"/actuator/health", "/actuator/prometheus", "/actuator"}) {
      assertThat(new Http(port).get(path).status()).as("public port " + path).isEqualTo(404);
      assertThat(new Http(managementPort).get(path).status()).as("management port " + path).isEqualTo(200);
    }
  }
}
