package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayFixture.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.launchers.LoopbackPorts;
import io.switchboard.launchers.RedisServerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway's Redis (rate buckets, socket counts) falls silent: it takes connections and answers
 * nothing, as a Redis behind a broken network or in the middle of a failover does. The gateway fails
 * open: it gives each Redis call up after a moment and admits sockets without their limits, and
 * drops none — neither those open already nor those that come meanwhile.
 */
class RedisOutageIT {

  static final GatewayFixture STACK = GatewayFixture.shared();

  /** Something on a port that takes connections and never answers. */
  static final class Silent implements AutoCloseable {
    private final ServerSocket server = new ServerSocket();
    final List<Socket> held = new CopyOnWriteArrayList<>();

    Silent(int port) throws IOException {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress("127.0.0.1", port));
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(server.accept());
          }
        } catch (IOException closed) {
          // closed: the test is over
        }
      }, "silent-redis");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void whenItsRedisFallsSilentTheGatewayAdmitsSocketsWithoutLimitsAndDropsNone() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      ConfigurableApplicationContext gateway = STACK.gatewayWithRedis(redis.url());
      try (GatewaySocket before = GatewaySocket.to(url(gateway, "/groupcall")).open()) {
        assertThat(before.admitted()).as("admitted while Redis answers").isTrue();

        // Redis stops; in its place, on its port, something that accepts and never answers.
        redis.stop();
        try (Silent silent = new Silent(redis.port())) {
          await("the gateway's client reconnected to the silent Redis").atMost(Duration.ofSeconds(15))
              .until(() -> !silent.held.isEmpty());
          for (int i = 0; i < 5; i++) {
            try (GatewaySocket during = GatewaySocket.to(url(gateway, "/groupcall")).open()) {
              assertThat(during.admitted()).as("socket " + i + " admitted while Redis is silent").isTrue();
            }
          }
          assertThat(before.admitted()).as("the socket open before is still served").isTrue();
        }
        redis.restart(); // the gateway's client reconnects and the limits apply again
      }
    }
  }

  /**
   * Redis stops (connections refused): sockets and API requests go on without their per-address
   * limits, each one counted in {@code switchboard.gateway.limits.unenforced{limit}}, and the log
   * says so once per limit — not a line (nor Spring Cloud Gateway's stack trace) per connection —
   * and once more when Redis answers again.
   */
  @Test
  void whileRedisIsDownTheLimitsGoUnenforcedCountedAndSaidOnce() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      ConfigurableApplicationContext gateway = STACK.gatewayWithRedis(redis.url());
      MeterRegistry meters = gateway.getBean(MeterRegistry.class);
      try (LogLines lines = LogLines.ofLimits()) {
        try (GatewaySocket before = GatewaySocket.to(url(gateway, "/groupcall")).open()) {
          assertThat(before.admitted()).as("admitted while Redis answers").isTrue();
        }
        assertThat(unenforced(meters, "connection-rate") + unenforced(meters, "sockets")).as("while Redis answers").isZero();

        redis.stop();
        for (int i = 0; i < 5; i++) {
          try (GatewaySocket during = GatewaySocket.to(url(gateway, "/groupcall")).open()) {
            assertThat(during.admitted()).as("socket " + i + " admitted while Redis is down").isTrue();
          }
        }
        HttpResponse<String> api = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(GatewayFixture.http(gateway, "/api/placement/nodes"))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).as("an API request without its key, limits or not").isEqualTo(401);
        assertThat(unenforced(meters, "connection-rate")).as("sockets let in without the connection rate").isEqualTo(5);
        assertThat(unenforced(meters, "sockets")).as("sockets let in without the socket cap").isEqualTo(5);
        assertThat(unenforced(meters, "api-rate")).as("API requests let through without their rate").isEqualTo(1);
        assertThat(lines.said()).as("what the log said while Redis was down")
            .filteredOn(line -> !line.startsWith("INFO"))
            .hasSize(3)
            .allMatch(line -> line.startsWith("WARN per-address ") && line.contains("limit not enforced while Redis does not answer"));

        redis.restart();
        await("the limits enforced again").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          try (GatewaySocket after = GatewaySocket.to(url(gateway, "/groupcall")).open()) {
            assertThat(after.admitted()).isTrue();
          }
          assertThat(lines.said()).contains("INFO per-address connection-rate limit enforced again: Redis answers",
              "INFO per-address sockets limit enforced again: Redis answers");
        });
      }
    }
  }

  /**
   * A gateway whose Redis refuses connections from the start: Spring Cloud Gateway's rate limiter
   * fails at once and lets each socket through (its own ERROR and stack trace per socket are off);
   * the gateway counts each and says it once per limit.
   */
  @Test
  void aGatewayWhoseRedisRefusesConnectionsCountsWhatItLetsThroughAndSaysItOnce() throws Exception {
    ConfigurableApplicationContext gateway = STACK.gatewayWithRedis("redis://127.0.0.1:" + LoopbackPorts.free());
    MeterRegistry meters = gateway.getBean(MeterRegistry.class);
    try (LogLines lines = LogLines.ofLimits()) {
      for (int i = 0; i < 4; i++) {
        try (GatewaySocket s = GatewaySocket.to(url(gateway, "/groupcall")).open()) {
          assertThat(s.admitted()).as("socket " + i + " admitted, Redis refusing connections").isTrue();
        }
      }
      assertThat(unenforced(meters, "connection-rate")).as("sockets let in without the connection rate").isEqualTo(4);
      assertThat(unenforced(meters, "sockets")).as("sockets let in without the socket cap").isEqualTo(4);
      assertThat(lines.said()).as("what the log said (nothing of the rate limiter's own)").hasSize(2)
          .allMatch(line -> line.startsWith("WARN per-address ") && line.contains("limit not enforced while Redis does not answer"));
    }
  }

  /**
   * What the gateway's {@code LimitsEnforcement} and Spring Cloud Gateway's {@code RedisRateLimiter}
   * log, as {@code "LEVEL message"}, while open. Opened once the gateway started: a starting
   * application resets the logging system.
   */
  static final class LogLines implements AutoCloseable {
    private final List<ch.qos.logback.classic.Logger> loggers;
    private final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();

    private LogLines(Class<?>... sources) {
      loggers = java.util.Arrays.stream(sources)
          .map(c -> (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(c)).toList();
      lines.start();
      loggers.forEach(l -> l.addAppender(lines));
    }

    static LogLines ofLimits() {
      return new LogLines(io.switchboard.gateway.edge.LimitsEnforcement.class,
          org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter.class);
    }

    List<String> said() {
      return lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    @Override
    public void close() {
      loggers.forEach(l -> l.detachAppender(lines));
    }
  }

  private static double unenforced(MeterRegistry meters, String limit) {
    return meters.get("switchboard.gateway.limits.unenforced").tag("limit", limit).counter().count();
  }

  /**
   * Spring Data Redis opens its shared connection on first use, blocking the thread that asks until
   * Redis's connect and command timeouts pass; eight sockets at once would each wait their turn
   * for it (~4 s each, beyond a client's 10 s connect) if the gateway asked from its network threads.
   */
  @Test
  void aGatewayWhoseRedisWasSilentFromTheStartAdmitsSocketsThatComeAtOnce() throws Exception {
    try (Silent silent = new Silent(LoopbackPorts.free())) {
      ConfigurableApplicationContext gateway = STACK.gatewayWithRedis("redis://127.0.0.1:"
          + silent.server.getLocalPort());
      List<java.util.concurrent.CompletableFuture<Boolean>> admitted = new java.util.ArrayList<>();
      java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(8);
      for (int i = 0; i < 8; i++) {
        admitted.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try (GatewaySocket s = GatewaySocket.to(url(gateway, "/groupcall")).open()) {
            return s.admitted();
          }
        }, clients));
      }
      try {
        for (int i = 0; i < admitted.size(); i++) {
          assertThat(admitted.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS))
              .as("socket " + i + " admitted, Redis never having answered").isTrue();
        }
      } finally {
        clients.shutdownNow();
      }
    }
  }
}
