package io.switchboard.localstack;

import io.switchboard.kms.emulator.EmulatorConfig;
import io.switchboard.kms.emulator.KmsEmulator;
import io.switchboard.presence.PresenceContract;
import io.switchboard.launchers.KafkaBroker;
import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.launchers.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The whole system on one machine, no Docker: Redis (6379), a KRaft Kafka broker (a free port, printed), a KMS
 * emulator (8888, fault injection on 8889), placement (8090), state (8092), signaling (8081) and
 * the gateway (8080: the browser client, /groupcall, /api), each service from its jar, logs under
 * {@code target/local-stack/}. Ctrl-C stops everything. Run from the repository root
 * ({@code ./run-local.sh} does).
 */
public final class LocalStack {

  /** The local gateway's API key (POST /api/tokens, /api/placement/**): for development only. */
  static final String API_KEY = "local-dev-api-key-0001";
  /** What the services present to each other's internal APIs: for development only. */
  static final String SERVICE_TOKEN = "--switchboard.service-token=local-dev-service-token-0123456789abcdef";

  private LocalStack() {}

  public static void main(String[] args) throws Exception {
    Path logs = Files.createDirectories(Path.of("target", "local-stack"));
    Deque<AutoCloseable> started = new ArrayDeque<>();
    Runnable stopAll = () -> {
      synchronized (started) {
        if (!started.isEmpty()) {
          System.out.println("stopping the local stack ...");
        }
        while (!started.isEmpty()) {
          try {
            started.pop().close();
          } catch (Exception e) {
            System.err.println("  " + e);
          }
        }
      }
    };
    // Ctrl-C and SIGTERM stop everything, in order, before the JVM's own shutdown begins: Kafka's
    // test kit deletes its log directory in a shutdown hook of its own, which would race a broker
    // still stopping. The hook stays for any other way out.
    for (String name : new String[] {"INT", "TERM"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
        stopAll.run();
        System.exit(0);
      });
    }
    Runtime.getRuntime().addShutdownHook(new Thread(stopAll, "local-stack-stop"));
    String[] kafkaAt = new String[1]; // printed below: the broker takes a free port
    try {
      String redis = step(started, "Redis", () -> RedisServerProcess.start(6379)).url();
      String kafka = step(started, "Kafka", () -> KafkaBroker.startWithPartitions(12, PresenceContract.TOPIC,
          PresenceContract.DEAD_LETTER_TOPIC)).bootstrapServers();
      kafkaAt[0] = kafka;
      KmsEmulator kms = step(started, "KMS emulator", () -> KmsEmulator.start(EmulatorConfig.defaults()
          .withHost("127.0.0.1").withPort(8888).withAdminPort(8889)));
      step(started, "placement", () -> ServiceProcess.startWithManagementPort("placement", 8090, 8190, logs.resolve("placement.log"),
          "--spring.data.redis.url=" + redis, "--switchboard.placement.nodes=" + kms.url(), SERVICE_TOKEN));
      step(started, "state", () -> ServiceProcess.startWithManagementPort("state", 8092, 8192, logs.resolve("state.log"),
          "--spring.data.redis.url=" + redis, "--spring.kafka.bootstrap-servers=" + kafka, SERVICE_TOKEN));
      step(started, "signaling", () -> ServiceProcess.startWithManagementPort("signaling", 8081, 8181, logs.resolve("signaling.log"),
          "--spring.data.redis.url=" + redis, "--spring.kafka.bootstrap-servers=" + kafka,
          "--switchboard.placement.url=http://127.0.0.1:8090", "--switchboard.signaling.pod-id=signaling-local",
          // Open mode: the local stack is for development, and tools/loadgen talks to the pod directly.
          "--switchboard.signaling.require-identity=false", SERVICE_TOKEN));
      step(started, "gateway", () -> ServiceProcess.startWithManagementPort("gateway", 8080, 8180, logs.resolve("gateway.log"),
          "--spring.data.redis.url=" + redis,
          "--spring.cloud.discovery.client.simple.instances.signaling[0].uri=http://127.0.0.1:8081",
          // The pod's readiness is on its management port.
          "--spring.cloud.loadbalancer.health-check.port=8181",
          "--switchboard.gateway.api-keys=" + API_KEY, SERVICE_TOKEN));
    } catch (Exception e) {
      System.err.println("the local stack did not start: " + e.getMessage());
      System.exit(1);
    }
    System.out.println("""

        Switchboard is running:
          the browser client (open two tabs)             http://localhost:8080/
          group calls (the Kurento tutorial's protocol)  ws://localhost:8080/groupcall
          operator APIs through the gateway              http://localhost:8080/api/placement/nodes  (X-Api-Key: %s)
          placement API (internal)                       http://localhost:8090/v1/nodes
          presence: rooms, people, live changes (SSE)    http://localhost:8092/v1/rooms  /v1/stream
            internal APIs want the service token          Authorization: Bearer %s
          KMS emulator, and its fault injection          ws://localhost:8888/kurento  http://localhost:8889/status
          Redis / Kafka                                  redis://localhost:6379  %s
          actuators (health, metrics): gateway, signaling, placement, state
                                                         http://localhost:8180 8181 8190 8192 /actuator
          logs                                           target/local-stack/*.log
        Ctrl-C stops it all.
        """.formatted(API_KEY, SERVICE_TOKEN.substring(SERVICE_TOKEN.indexOf('=') + 1), kafkaAt[0]));
    Thread.currentThread().join();
  }

  interface Start<T> {
    T start() throws Exception;
  }

  private static <T extends AutoCloseable> T step(Deque<AutoCloseable> started, String what, Start<T> start)
      throws Exception {
    System.out.print("starting " + what + " ... ");
    System.out.flush();
    T thing = start.start();
    synchronized (started) {
      started.push(thing);
    }
    System.out.println("ready");
    return thing;
  }
}
