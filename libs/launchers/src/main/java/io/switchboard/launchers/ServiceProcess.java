package io.switchboard.launchers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One of Switchboard's services run from its executable jar as its own process, on loopback and a
 * free port, for tests where a service must really die: {@link #kill()} is SIGKILL (no shutdown
 * hook runs), {@link #stop()} is SIGTERM (Spring's graceful shutdown). Started means ready: its
 * {@code /actuator/health/readiness} answered 200.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /**
   * Environment variable: the JVM options services are started with, instead of {@link
   * #DEFAULT_JVM_OPTIONS} (e.g. {@code -Xmx1g} alone for a benchmark run with the JIT the images use).
   */
  public static final String JVM_OPTIONS = "SWITCHBOARD_SERVICE_JVM_OPTIONS";
  /** Small and quick to start (C1 only, serial GC): many services share a test machine's cores. */
  public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
      "-XX:+UseSerialGC");

  private final String name;
  private final Process process;
  private final int port;
  private final int managementPort;
  private final StringBuilder output = new StringBuilder();

  private ServiceProcess(String name, Process process, int port, int managementPort) {
    this.name = name;
    this.process = process;
    this.port = port;
    this.managementPort = managementPort;
  }

  /**
   * Starts {@code services/<service>/target/<service>.jar} (looked up from the working directory
   * towards the repository root) with {@code --server.port} and {@code --server.address} set and
   * {@code settings} ({@code --key=value}) added. A signaling pod started so rehearses its KMS
   * calls once before ready ({@value #ONE_REHEARSAL}) and joins one room ({@value #ONE_ROOM}) unless
   * {@code settings} say otherwise: tests do not measure a pod's first burst, and the default 200
   * rehearsals per node and 10 rooms would cost every pod they start seconds.
   */
  public static ServiceProcess start(String service, String... settings) {
    return start(service, LoopbackPorts.free(), null, settings);
  }

  /** {@code --switchboard.signaling.kms-warmup-rehearsals=1}: what test pods start with. */
  public static final String ONE_REHEARSAL = "--switchboard.signaling.kms-warmup-rehearsals=1";
  /** {@code --switchboard.signaling.join-rehearsal-rooms=1}: what test pods start with. */
  public static final String ONE_ROOM = "--switchboard.signaling.join-rehearsal-rooms=1";

  /**
   * The same on a given port, its output going to {@code log} (appended) when not null (a test
   * pod, rehearsing once as above).
   */
  public static ServiceProcess start(String service, int port, Path log, String... settings) {
    return start(service, port, port, log, forTests(service, settings));
  }

  static String[] forTests(String service, String... settings) {
    if (!"signaling".equals(service)) {
      return settings;
    }
    java.util.List<String> all = new java.util.ArrayList<>(Arrays.asList(settings));
    for (String fewer : java.util.List.of(ONE_REHEARSAL, ONE_ROOM)) {
      String key = fewer.substring(0, fewer.indexOf('=') + 1);
      if (Arrays.stream(settings).noneMatch(s -> s.startsWith(key))) {
        all.add(fewer);
      }
    }
    return all.toArray(String[]::new);
  }

  /**
   * The same with the actuator on a port of its own ({@code --management.server.port} and
   * {@code .address} set), as in production: started means that port's readiness answered 200.
   * The service's own defaults otherwise (a signaling pod rehearses as it is configured to): the
   * local stack, which benchmarks measure.
   */
  public static ServiceProcess startWithManagementPort(String service, int port, int managementPort, Path log,
      String... settings) {
    if (managementPort == port) {
      throw new IllegalArgumentException("the management port must differ from the server port " + port);
    }
    return start(service, port, managementPort, log, settings);
  }

  private static ServiceProcess start(String service, int port, int managementPort, Path log, String... settings) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions(System.getenv(JVM_OPTIONS)));
    // As in the images: a service out of memory exits (and is seen to) instead of limping on.
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.addAll(List.of("-jar", jar(service).toString(),
        "--server.port=" + port, "--server.address=" + LoopbackPorts.HOST));
    // Always said: a service whose own default puts the actuator apart (the gateway) keeps it on
    // the server port when asked to.
    command.add("--management.server.port=" + managementPort);
    if (managementPort != port) {
      command.add("--management.server.address=" + LoopbackPorts.HOST);
    }
    command.addAll(List.of(settings));
    Process process;
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      if (log != null) {
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      }
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ServiceProcess started = new ServiceProcess(service, process, port, managementPort);
    if (log == null) {
      started.capture();
    }
    started.awaitReady();
    return started;
  }

  /** The JVM options of {@link #JVM_OPTIONS}'s value (whitespace-separated), or the defaults when unset or blank. */
  static List<String> jvmOptions(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_JVM_OPTIONS;
    }
    List<String> options = List.of(value.trim().split("\\s+"));
    for (String option : options) {
      if (!option.startsWith("-")) {
        throw new IllegalArgumentException(JVM_OPTIONS + " holds JVM options (each starting with '-'), not '"
            + option + "'");
      }
    }
    return options;
  }

  static Path jar(String service) {
    Path relative = Path.of("services", service, "target", service + ".jar");
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(relative);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(relative + " not found: build it with ./mvnw -DskipTests package");
  }

  private void capture() {
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (output) {
            output.append(line).append('\n');
          }
        }
      } catch (IOException ignored) {
        // the process went away
      }
    }, name + "-process-" + port);
    reader.setDaemon(true);
    reader.start();
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest readiness = HttpRequest.newBuilder(URI.create(managementUrl() + "/actuator/health/readiness"))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " while starting:\n" + output());
      }
      try {
        if (http.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
        throw new IllegalStateException(e);
      }
    }
    kill();
    throw new IllegalStateException(name + " was not ready within " + START_TIMEOUT + ":\n" + output());
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "http://" + LoopbackPorts.HOST + ":" + port;
  }

  /** Where the actuator listens: the management port when it has one, else the server port. */
  public int managementPort() {
    return managementPort;
  }

  /** {@code http://127.0.0.1:<management port>}, the base of {@code /actuator/**}. */
  public String managementUrl() {
    return "http://" + LoopbackPorts.HOST + ":" + managementPort;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Everything the process wrote so far (stdout and stderr). */
  public String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  /** SIGKILL: the service dies with no goodbye, its sockets reset. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(15));
  }

  /** SIGTERM, without waiting: the service shuts down gracefully. */
  public void terminate() {
    process.destroy();
  }

  /** SIGTERM, and waits up to {@code timeout} for the process to end; true when it did. */
  public boolean stop(Duration timeout) {
    terminate();
    return awaitExit(timeout);
  }

  public int exitValue() {
    return process.exitValue();
  }

  /** Waits up to {@code timeout} for the process to end; true when it did. */
  public boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }
}
