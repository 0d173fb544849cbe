package io.switchboard.gateway;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.routing.OpenSockets;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.launchers.ServiceProcess;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Switchboard as it runs behind its door: one Redis, one KMS emulator, the placement service and
 * three signaling pods (each its own process, from their jars), and gateways in this JVM.
 */
final class GatewayFixture implements AutoCloseable {

  private static GatewayFixture shared;

  /**
   * One fixture for every test class of this JVM (starting four JVMs per class would dominate the
   * build); stopped when the JVM exits. Tests that disturb a pod put it back as it was.
   */
  static synchronized GatewayFixture shared() {
    if (shared == null) {
      shared = new GatewayFixture(3);
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
    }
    return shared;
  }

  static final String API_KEY = "test-api-key-0123456789";
  static final String SECRET = "a-test-secret-that-is-at-least-32-bytes-long";
  /** Shared by the gateways and the pods: the pods believe only identities the gateway signed. */
  static final String IDENTITY_SECRET = "the-gateway-and-pods-share-this-32-bytes+";

  final RedisServerProcess redis = RedisServerProcess.start();
  final KmsEmulatorFleet kms = KmsEmulatorFleet.start(1);
  final ServiceProcess placement = ServiceProcess.start("placement",
      "--spring.data.redis.url=" + redis.url(), "--switchboard.placement.nodes=" + kms.urlList(),
      io.switchboard.testing.TestCredentials.SERVICE_TOKEN_SETTING);
  final List<ServiceProcess> pods = new ArrayList<>();
  private final RedisClient redisClient = RedisClient.create(redis.url());
  final StatefulRedisConnection<String, String> redisConnection = redisClient.connect();
  private final List<ConfigurableApplicationContext> gateways = new ArrayList<>();

  GatewayFixture(int signalingPods) {
    // Side by side: each waits mostly on its own readiness (placement first: pods ask it for nodes).
    List<java.util.concurrent.CompletableFuture<ServiceProcess>> starting = new ArrayList<>();
    for (int i = 0; i < signalingPods; i++) {
      int pod = i;
      starting.add(java.util.concurrent.CompletableFuture.supplyAsync(
          () -> startPod(pod, io.switchboard.launchers.LoopbackPorts.free())));
    }
    RuntimeException failed = null;
    for (java.util.concurrent.CompletableFuture<ServiceProcess> pod : starting) {
      try {
        pods.add(pod.join());
      } catch (java.util.concurrent.CompletionException e) {
        failed = failed != null ? failed
            : e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      }
    }
    if (failed != null) {
      close();
      throw failed;
    }
  }

  private ServiceProcess startPod(int i, int port) {
    return ServiceProcess.start("signaling", port, null, "--spring.data.redis.url=" + redis.url(),
        "--switchboard.placement.url=" + placement.baseUrl(), "--switchboard.presence.enabled=false",
        "--switchboard.signaling.pod-id=pod-" + i, "--switchboard.signaling.resume-grace=2s",
        "--switchboard.signaling.identity-secret=" + IDENTITY_SECRET, io.switchboard.testing.TestCredentials.SERVICE_TOKEN_SETTING,
        "--switchboard.signaling.heartbeat-interval=500ms", "--switchboard.signaling.heartbeat-timeout=3s");
  }

  /** Kills pod i (SIGKILL), as a crash or a node's loss does. */
  void kill(int pod) {
    pods.get(pod).kill();
    pods.get(pod).awaitExit(java.time.Duration.ofSeconds(10));
  }

  /** Starts pod i again, on its port (as a restarted pod behind the same endpoint). */
  void restart(int pod) {
    pods.set(pod, startPod(pod, pods.get(pod).port()));
  }

  /**
   * A gateway in front of the pods, with these settings ({@code --key=value}) added. It runs until
   * the fixture closes: gateways in one JVM share Reactor Netty's global event loops, which closing
   * one of them would stop for all.
   */
  ConfigurableApplicationContext gateway(String... settings) {
    return gatewayTo(pods.stream().map(ServiceProcess::baseUrl).toList(), settings);
  }

  /** A gateway in front of these signaling URLs. */
  ConfigurableApplicationContext gatewayTo(List<String> signaling, String... settings) {
    return gateway(redis.url(), signaling, settings);
  }

  /** A gateway in front of the pods with a Redis of its own (the pods keep the fixture's). */
  ConfigurableApplicationContext gatewayWithRedis(String redisUrl, String... settings) {
    return gateway(redisUrl, pods.stream().map(ServiceProcess::baseUrl).toList(), settings);
  }

  private ConfigurableApplicationContext gateway(String redisUrl, List<String> signaling, String... settings) {
    List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
        "--management.server.port=0", "--management.server.address=127.0.0.1",
        "--spring.data.redis.url=" + redisUrl,
        "--spring.cloud.loadbalancer.health-check.interval=3s",
        "--spring.cloud.loadbalancer.health-check.refetch-instances-interval=1s",
        "--switchboard.gateway.placement-url=" + placement.baseUrl(),
        "--switchboard.gateway.api-keys=" + API_KEY,
        "--switchboard.gateway.identity-secret=" + IDENTITY_SECRET,
        "--switchboard.gateway.limits.trust-forwarded-for=true"));
    for (int i = 0; i < signaling.size(); i++) {
      args.add("--spring.cloud.discovery.client.simple.instances.signaling[" + i + "].uri=" + signaling.get(i));
    }
    if (java.util.Arrays.stream(settings).noneMatch(s -> s.startsWith("--switchboard.service-token="))) {
      args.add(io.switchboard.testing.TestCredentials.SERVICE_TOKEN_SETTING);
    }
    args.addAll(List.of(settings));
    ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
        .run(args.toArray(String[]::new));
    gateways.add(context);
    return context;
  }

  static String url(ConfigurableApplicationContext gateway, String pathAndQuery) {
    return "ws://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port") + pathAndQuery;
  }

  static String http(ConfigurableApplicationContext gateway, String path) {
    return "http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port") + path;
  }

  /** The pod key (host:port) the gateway routes by, of pod i. */
  String key(int pod) {
    return "127.0.0.1:" + pods.get(pod).port();
  }

  /** Which pod (its id, pod-N) serves a participant of a room, from the room's state in Redis. */
  String podOf(String room, String name) {
    String json = redisConnection.sync().hget("sb:{room:" + room + "}:members", name);
    if (json == null) {
      throw new AssertionError(name + " is not in room " + room);
    }
    JsonNode member = GatewaySocket.JSON.readTree(json);
    return member.path("pod").asString();
  }

  static double count(ConfigurableApplicationContext gateway, String meter, String... tags) {
    var counter = gateway.getBean(MeterRegistry.class).find(meter).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  static double gauge(ConfigurableApplicationContext gateway, String meter, String... tags) {
    var gauge = gateway.getBean(MeterRegistry.class).find(meter).tags(tags).gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }

  static int openSockets(ConfigurableApplicationContext gateway) {
    return gateway.getBean(OpenSockets.class).total();
  }

  @Override
  public void close() {
    gateways.forEach(ConfigurableApplicationContext::close);
    pods.forEach(ServiceProcess::close);
    placement.close();
    redisConnection.close();
    redisClient.shutdown();
    kms.close();
    redis.close();
  }
}
