package io.switchboard.launchers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A real Kafka broker (KRaft, broker and controller in one) in its own JVM, on a fixed loopback
 * port with its log on disk, so a test can stop it — gracefully or with SIGKILL — and start it
 * again with its data: what "the broker went away while producers kept producing" needs.
 * Everything lives in a temporary directory that {@link #close()} removes.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final TemporaryDirectory directory = new TemporaryDirectory("switchboard-kafka-");
  private final int port;
  private final int controllerPort = LoopbackPorts.free();
  private final Path config;
  private Process process;

  private KafkaBrokerProcess(int port) {
    this.port = port;
    try {
      config = directory.path().resolve("server.properties");
      Files.writeString(config, String.join("\n",
          "process.roles=broker,controller",
          "node.id=1",
          "controller.quorum.voters=1@" + LoopbackPorts.HOST + ":" + controllerPort,
          "listeners=PLAINTEXT://" + LoopbackPorts.HOST + ":" + port + ",CONTROLLER://" + LoopbackPorts.HOST + ":"
              + controllerPort,
          "advertised.listeners=PLAINTEXT://" + LoopbackPorts.HOST + ":" + port,
          "controller.listener.names=CONTROLLER",
          "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
          "inter.broker.listener.name=PLAINTEXT",
          "log.dirs=" + directory.path().resolve("log"),
          "num.partitions=2",
          "offsets.topic.replication.factor=1",
          "offsets.topic.num.partitions=1",
          "transaction.state.log.replication.factor=1",
          "transaction.state.log.min.isr=1",
          "group.initial.rebalance.delay.ms=0",
          // A broker killed and started again registers once its old session has expired: 4.5 s, not 9.
          "broker.session.timeout.ms=4500",
          "broker.heartbeat.interval.ms=1000",
          "auto.create.topics.enable=false",
          "") , StandardCharsets.UTF_8);
      run(List.of("kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", config.toString()), true);
    } catch (IOException e) {
      directory.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  /** Formats a fresh log and starts the broker, with these topics (two partitions each). */
  public static KafkaBrokerProcess start(String... topics) {
    return startOnPort(LoopbackPorts.free(), topics);
  }

  /** The same on a given port. */
  public static KafkaBrokerProcess startOnPort(int port, String... topics) {
    KafkaBrokerProcess broker = new KafkaBrokerProcess(port);
    try {
      broker.startBroker();
      if (topics.length > 0) {
        try (Admin admin = broker.admin()) {
          List<NewTopic> newTopics = new ArrayList<>();
          for (String t : topics) {
            newTopics.add(new NewTopic(t, 2, (short) 1));
          }
          admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
        }
      }
      return broker;
    } catch (Exception e) {
      broker.close();
      throw new IllegalStateException("Kafka broker did not start", e);
    }
  }

  /** {@code 127.0.0.1:<port>}; the same across restarts. */
  public String bootstrapServers() {
    return LoopbackPorts.HOST + ":" + port;
  }

  public boolean running() {
    return process != null && process.isAlive();
  }

  /** Graceful stop (SIGTERM): the broker flushes and closes its log. */
  public void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      waitForExit();
    }
  }

  /** SIGKILL: the broker dies with whatever it had not flushed. */
  public void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      waitForExit();
    }
  }

  /** Starts the stopped or killed broker again on the same port, with its log. */
  public void restart() {
    stop();
    startBroker();
  }

  private void startBroker() {
    process = run(List.of("kafka.Kafka", config.toString()), false);
    awaitReady();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Kafka broker exited with " + process.exitValue() + ": " + log());
      }
      // An admin client is only made once the port takes connections, and closed without waiting
      // for its requests: closing one that never reached the broker took seconds each time.
      if (!accepts()) {
        sleep(100);
        continue;
      }
      Admin admin = admin();
      try {
        admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        last = e;
      } finally {
        admin.close(Duration.ZERO);
      }
      sleep(200);
    }
    throw new IllegalStateException("Kafka broker not ready within " + READY_TIMEOUT + ": " + log(), last);
  }

  /** Whether the broker's port takes a TCP connection now. */
  private boolean accepts() {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(LoopbackPorts.HOST, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Admin admin() {
    return Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000));
  }

  private Process run(List<String> mainAndArgs, boolean waitForIt) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-Djava.io.tmpdir=" + directory.path(),
        "-cp", System.getProperty("java.class.path")));
    command.addAll(mainAndArgs);
    try {
      Process p = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(directory.path().resolve(waitForIt ? "format.log" : "broker.log").toFile())
          .start();
      if (waitForIt) {
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
          p.destroyForcibly();
          throw new IllegalStateException("kafka storage format failed: " + read("format.log"));
        }
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String log() {
    return read("broker.log");
  }

  private String read(String name) {
    try {
      String text = Files.readString(directory.path().resolve(name));
      return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    } catch (IOException e) {
      return "(no " + name + ")";
    }
  }

  private void waitForExit() {
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding. */
  /**
   * A random cluster id (a UUID, base64url), never one that starts with '-': kafka-storage's
   * argument parser would take it for an option (one run in 64 failed so).
   */
  private static String clusterId() {
    while (true) {
      UUID uuid = UUID.randomUUID();
      java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
      bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
      String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
      if (!id.startsWith("-")) {
        return id;
      }
    }
  }

  @Override
  public void close() {
    try {
      kill();
    } finally {
      directory.close();
    }
  }
}
