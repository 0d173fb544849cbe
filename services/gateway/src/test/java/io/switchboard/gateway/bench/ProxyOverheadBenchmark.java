package io.switchboard.gateway.bench;

import io.switchboard.gateway.GatewayApplication;
import io.switchboard.gateway.routing.PodChoice;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.launchers.ServiceProcess;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the gateway adds to a join: connect + {@code joinRoom} → {@code existingParticipants}, and
 * a message round trip on an open socket ({@code chat} → {@code chatMessage}), through the gateway
 * and straight to the same signaling pod, interleaved in one run against the same Redis, KMS
 * emulator, placement and pods. Run with
 * {@code ./mvnw -B -pl services/gateway -am -Pbench -DskipTests -DskipITs verify}.
 *
 * <p>Arguments: iterations per path (default 1000), warm-up iterations (default 200).
 */
public final class ProxyOverheadBenchmark {

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    try (RedisServerProcess redis = RedisServerProcess.start();
        KmsEmulatorFleet kms = KmsEmulatorFleet.start(1);
        ServiceProcess placement = ServiceProcess.start("placement", "--spring.data.redis.url=" + redis.url(),
            "--switchboard.placement.nodes=" + kms.urlList(), io.switchboard.testing.TestCredentials.SERVICE_TOKEN_SETTING);
        ServiceProcess pod0 = pod(redis, placement, 0);
        ServiceProcess pod1 = pod(redis, placement, 1)) {
      ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class).run(
          "--server.port=0", "--server.address=127.0.0.1", "--management.server.port=0",
          "--spring.data.redis.url=" + redis.url(),
          "--spring.cloud.discovery.client.simple.instances.signaling[0].uri=" + pod0.baseUrl(),
          "--spring.cloud.discovery.client.simple.instances.signaling[1].uri=" + pod1.baseUrl(),
          "--switchboard.gateway.limits.connections-per-second=100000",
          "--switchboard.gateway.limits.connection-burst=100000",
          "--switchboard.gateway.limits.sockets-per-address=100000",
          "--logging.level.root=WARN");
      try {
        String room = "bench";
        String podKey = PodChoice.rendezvous(List.of("127.0.0.1:" + pod0.port(), "127.0.0.1:" + pod1.port()), room);
        String direct = "ws://" + podKey + "/groupcall";
        String viaGateway = "ws://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port")
            + "/groupcall?room=" + room;
        Thread.sleep(3000); // the gateway's first readiness round
        Histogram joinDirect = new Histogram(3);
        Histogram joinGateway = new Histogram(3);
        Histogram rttDirect = new Histogram(3);
        Histogram rttGateway = new Histogram(3);
        for (int i = 0; i < warmup + iterations; i++) {
          boolean record = i >= warmup;
          // Alternate which path goes first, so neither always meets a warmer pod.
          if (i % 2 == 0) {
            run(direct, room, "d" + i, record ? joinDirect : null, record ? rttDirect : null);
            run(viaGateway, room, "g" + i, record ? joinGateway : null, record ? rttGateway : null);
          } else {
            run(viaGateway, room, "g" + i, record ? joinGateway : null, record ? rttGateway : null);
            run(direct, room, "d" + i, record ? joinDirect : null, record ? rttDirect : null);
          }
        }
        System.out.printf(Locale.ROOT, "%n%d joins and round trips per path (after %d warm-up), one client at a time%n",
            iterations, warmup);
        System.out.printf(Locale.ROOT, "%-34s %8s %8s %8s %8s %8s%n", "", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms");
        print("join, straight to the pod", joinDirect);
        print("join, through the gateway", joinGateway);
        print("round trip, straight to the pod", rttDirect);
        print("round trip, through the gateway", rttGateway);
        System.out.printf(Locale.ROOT, "gateway overhead, join p50: %.2f ms, p99: %.2f ms; round trip p50: %.2f ms, p99: %.2f ms%n",
            ms(joinGateway.getValueAtPercentile(50) - joinDirect.getValueAtPercentile(50)),
            ms(joinGateway.getValueAtPercentile(99) - joinDirect.getValueAtPercentile(99)),
            ms(rttGateway.getValueAtPercentile(50) - rttDirect.getValueAtPercentile(50)),
            ms(rttGateway.getValueAtPercentile(99) - rttDirect.getValueAtPercentile(99)));
      } finally {
        gateway.close();
      }
    }
  }

  private static ServiceProcess pod(RedisServerProcess redis, ServiceProcess placement, int i) {
    return ServiceProcess.start("signaling", "--spring.data.redis.url=" + redis.url(),
        "--switchboard.placement.url=" + placement.baseUrl(), "--switchboard.presence.enabled=false",
        "--switchboard.signaling.pod-id=bench-" + i, "--switchboard.signaling.require-identity=false",
        io.switchboard.testing.TestCredentials.SERVICE_TOKEN_SETTING,
        "--switchboard.signaling.messages-per-second=100000",
        "--switchboard.signaling.message-burst=100000", "--logging.level.root=WARN");
  }

  /** One participant: connect and join (timed), one chat round trip (timed), leave. */
  private static void run(String url, String room, String name, Histogram join, Histogram rtt) throws Exception {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    long started = System.nanoTime();
    WebSocketClient client = new WebSocketClient(URI.create(url), Map.of()) {
      @Override
      public void onOpen(ServerHandshake handshake) {
        send("{\"id\":\"joinRoom\",\"name\":\"" + name + "\",\"room\":\"" + room + "\"}");
      }

      @Override
      public void onMessage(String message) {
        received.add(message);
      }

      @Override
      public void onClose(int code, String reason, boolean remote) {}

      @Override
      public void onError(Exception e) {}
    };
    client.setConnectionLostTimeout(0);
    client.connectBlocking(10, TimeUnit.SECONDS);
    await(received, "\"existingParticipants\"");
    long joined = System.nanoTime();
    client.send("{\"id\":\"chat\",\"text\":\"ping\"}");
    await(received, "\"chatMessage\"");
    long echoed = System.nanoTime();
    if (join != null) {
      join.recordValue((joined - started) / 1000);
      rtt.recordValue((echoed - joined) / 1000);
    }
    client.send("{\"id\":\"leaveRoom\"}");
    client.closeBlocking();
  }

  private static void await(BlockingQueue<String> received, String id) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String m = received.poll(10, TimeUnit.MILLISECONDS);
      if (m != null && m.contains("\"id\":" + id)) {
        return;
      }
      if (m != null && m.contains("\"id\":\"error\"")) {
        throw new IllegalStateException(m);
      }
    }
    throw new IllegalStateException("no " + id);
  }

  private static void print(String label, Histogram h) {
    System.out.printf(Locale.ROOT, "%-34s %8.2f %8.2f %8.2f %8.2f %8.2f%n", label, ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()), h.getMean() / 1000);
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }

  private ProxyOverheadBenchmark() {}
}
