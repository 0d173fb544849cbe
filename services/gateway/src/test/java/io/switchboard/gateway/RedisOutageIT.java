package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayFixture.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

  @Test
  void whenItsRedisFallsSilentTheGatewayAdmitsSocketsWithoutLimitsAndDropsNone() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      ConfigurableApplicationContext gateway = STACK.gatewayWithRedis(redis.url());
      try (GatewaySocket before = GatewaySocket.to(url(gateway, "/groupcall")).open()) {
        assertThat(before.admitted()).as("admitted while Redis answers").isTrue();

        // Redis stops; in its place, on its port, something that accepts and never answers.
        redis.stop();
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket()) {
          silent.setReuseAddress(true);
          silent.bind(new InetSocketAddress("127.0.0.1", redis.port()));
          Thread acceptor = new Thread(() -> {
            try {
              while (true) {
                held.add(silent.accept());
              }
            } catch (IOException closed) {
              // the test is over
            }
          }, "silent-redis");
          acceptor.setDaemon(true);
          acceptor.start();
          await("the gateway's client reconnected to the silent Redis").atMost(Duration.ofSeconds(15))
              .until(() -> !held.isEmpty());

          for (int i = 0; i < 5; i++) {
            try (GatewaySocket during = GatewaySocket.to(url(gateway, "/groupcall")).open()) {
              assertThat(during.admitted()).as("socket " + i + " admitted while Redis is silent").isTrue();
            }
          }
          assertThat(before.admitted()).as("the socket open before is still served").isTrue();
        } finally {
          for (Socket s : held) {
            s.close();
          }
        }
        redis.restart(); // the gateway's client reconnects and the limits apply again
      }
    }
  }
}
