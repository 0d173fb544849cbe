package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayFixture.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.launchers.LoopbackPorts;
import io.switchboard.launchers.RedisServerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
