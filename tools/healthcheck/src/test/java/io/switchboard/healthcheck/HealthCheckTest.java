package io.switchboard.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthCheckTest {

  @Test
  void theServicesOwnReadinessIsOnItsManagementPortWhenThatIsSetApart() {
    assertThat(HealthCheck.readinessOf(Map.of("SERVER_PORT", "8081", "MANAGEMENT_SERVER_PORT", "9090")))
        .hasToString("http://127.0.0.1:9090/actuator/health/readiness");
    assertThat(HealthCheck.readinessOf(Map.of("SERVER_PORT", "8081", "SERVER_ADDRESS", "127.0.0.2")))
        .hasToString("http://127.0.0.2:8081/actuator/health/readiness");
    assertThat(HealthCheck.readinessOf(Map.of("MANAGEMENT_SERVER_PORT", "9090", "MANAGEMENT_SERVER_ADDRESS", "::")))
        .hasToString("http://127.0.0.1:9090/actuator/health/readiness");
    assertThat(HealthCheck.readinessOf(Map.of("MANAGEMENT_SERVER_PORT", "9090", "MANAGEMENT_SERVER_ADDRESS", "::1")))
        .hasToString("http://[::1]:9090/actuator/health/readiness");
    assertThat(HealthCheck.readinessOf(Map.of())).hasToString("http://127.0.0.1:8080/actuator/health/readiness");
  }

  @Test
  void anExplicitTargetWinsOverTheServicesEnvironment() {
    assertThat(HealthCheck.targetOf(Map.of("HEALTHCHECK_URL", "tcp://127.0.0.1:8888", "SERVER_PORT", "8081")))
        .hasToString("tcp://127.0.0.1:8888");
    assertThat(HealthCheck.targetOf(Map.of("HEALTHCHECK_URL", " ", "SERVER_PORT", "8081")))
        .hasToString("http://127.0.0.1:8081/actuator/health/readiness");
  }

  @Test
  void onlyA2xxAnswerIsHealthy() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/ready", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.createContext("/unready", exchange -> {
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
    });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      assertThat(HealthCheck.check(URI.create(base + "/ready"))).isEqualTo("ok 200");
      assertThat(HealthCheck.check(URI.create(base + "/unready"))).isEqualTo("unhealthy: HTTP 503");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aTcpTargetIsHealthyWhileSomethingListens() throws IOException {
    int port;
    try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = listening.getLocalPort();
      assertThat(HealthCheck.check(URI.create("tcp://127.0.0.1:" + port))).isEqualTo("ok connected");
    }
    assertThat(HealthCheck.check(URI.create("tcp://127.0.0.1:" + port))).startsWith("unreachable");
    assertThat(HealthCheck.check(URI.create("ftp://127.0.0.1:" + port))).isEqualTo("unsupported scheme ftp");
  }
}
