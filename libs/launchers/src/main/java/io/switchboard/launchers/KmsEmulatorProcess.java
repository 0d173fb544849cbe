package io.switchboard.launchers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The KMS emulator as its own process ({@code java -jar kms-emulator.jar}), for tests where a
 * media server must really die: {@link #kill()} is SIGKILL. Its admin API is on, on a free port.
 * The jar comes from the {@code kms.emulator.jar} system property, or is looked up from the
 * working directory towards the repository root.
 */
public final class KmsEmulatorProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final int adminPort;

  private KmsEmulatorProcess(Process process, int port, int adminPort) {
    this.process = process;
    this.port = port;
    this.adminPort = adminPort;
  }

  /** Starts one with extra command-line options (e.g. {@code --capacity 10}). */
  public static KmsEmulatorProcess start(String... options) {
    int port = LoopbackPorts.free();
    int adminPort = LoopbackPorts.free();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-jar", jar().toString(),
        "--host", LoopbackPorts.HOST, "--port", Integer.toString(port), "--admin-port", Integer.toString(adminPort)));
    command.addAll(List.of(options));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          if (line.startsWith("KMS emulator listening on")) {
            ready.complete(null);
          }
        }
      } catch (IOException ignored) {
        // the process went away
      }
      ready.completeExceptionally(new IllegalStateException("emulator exited: " + output));
    }, "kms-emulator-process-" + port);
    reader.setDaemon(true);
    reader.start();
    try {
      ready.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException("KMS emulator process did not start: " + output, e);
    }
    return new KmsEmulatorProcess(process, port, adminPort);
  }

  static Path jar() {
    String configured = System.getProperty("kms.emulator.jar");
    if (configured != null) {
      Path p = Path.of(configured);
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath().normalize();
      }
      throw new IllegalStateException(p + " does not exist: build it with ./mvnw -DskipTests package");
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("tools/kms-emulator/target/kms-emulator.jar");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("kms-emulator.jar not found: build it with ./mvnw -DskipTests package");
  }

  public int port() {
    return port;
  }

  public String url() {
    return "ws://" + LoopbackPorts.HOST + ":" + port + "/kurento";
  }

  /** The fault-injection API, e.g. {@code POST <adminUrl>/faults/hang}. */
  public String adminUrl() {
    return "http://" + LoopbackPorts.HOST + ":" + adminPort;
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL: the media server dies with no goodbye. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** Waits for the process to end (after {@code POST /exit} or a kill). */
  public boolean waitFor() {
    try {
      return process.waitFor(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      if (!waitFor()) {
        kill();
      }
    }
  }
}
