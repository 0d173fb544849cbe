package io.switchboard.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The real Docker engine, through the {@code docker} command: images built from the repository's
 * Dockerfiles and containers on the host's network (no container gets an address of its own).
 * Every container it starts is removed by {@link #close()}.
 */
final class Docker implements AutoCloseable {

  /** What a command printed (stdout and stderr together) and how it ended. */
  record Result(int exitCode, String output) {
    String trimmed() {
      return output.trim();
    }
  }

  /** Every container the tests start carries it, so that .ci/run can remove any a killed run left. */
  static final String LABEL = "io.switchboard.test=delivery";

  private final List<String> containers = new CopyOnWriteArrayList<>();

  /**
   * Fails, never skips, when no engine answers: the image checks are part of the build and a
   * missing engine is a broken machine, not a reason to pass.
   */
  static Docker engine() {
    Result info;
    try {
      info = exec(Duration.ofSeconds(30), "docker", "info", "--format", "{{.ServerVersion}}");
    } catch (IllegalStateException noClient) {
      throw new AssertionError("the docker command is missing: install Debian's docker.io (.ci/run does)", noClient);
    }
    if (info.exitCode() != 0) {
      throw new AssertionError("""
          no Docker engine answers (docker info: %s).
          Start one as root: dockerd --bridge=none --iptables=false & — .ci/run starts it when it is not running."""
          .formatted(info.trimmed()));
    }
    return new Docker();
  }

  /**
   * The JRE 17 base image made from Debian packages by docker/local-base.sh (no registry is
   * reachable here); built once per recipe, then found by its tag.
   */
  String localBase() {
    Result made = exec(Duration.ofMinutes(15), "bash", Repository.path("docker/local-base.sh").toString());
    if (made.exitCode() != 0) {
      throw new AssertionError("docker/local-base.sh failed:\n" + made.output());
    }
    String[] lines = made.trimmed().split("\n");
    return lines[lines.length - 1].trim();
  }

  /** Builds {@code dockerfile} (relative to the repository) with the repository as its context. */
  void build(String dockerfile, String tag, String... buildArgs) {
    // --force-rm: a failed step leaves no stopped container behind.
    List<String> command = new ArrayList<>(List.of("docker", "build", "--force-rm", "--network", "host", "-f",
        Repository.path(dockerfile).toString(), "-t", tag));
    for (String arg : buildArgs) {
      command.add("--build-arg");
      command.add(arg);
    }
    command.add(Repository.root().toString());
    Result built = exec(Duration.ofMinutes(10), command.toArray(String[]::new));
    if (built.exitCode() != 0) {
      throw new AssertionError("docker build of " + dockerfile + " as " + tag + " failed:\n" + built.output());
    }
  }

  /**
   * {@code docker run -d --network host} with these options (e.g. {@code -e K=V}, {@code --read-only})
   * before the image and {@code args} after it; returns the container's id.
   */
  String run(String name, List<String> options, String image, String... args) {
    List<String> command = new ArrayList<>(List.of("docker", "run", "-d", "--network", "host", "--name", name,
        "--label", LABEL));
    command.addAll(options);
    command.add(image);
    command.addAll(List.of(args));
    containers.add(name);
    Result started = exec(Duration.ofMinutes(1), command.toArray(String[]::new));
    if (started.exitCode() != 0) {
      throw new AssertionError("docker run " + image + " failed:\n" + started.output());
    }
    return started.trimmed();
  }

  /** {@code docker inspect -f format target}. */
  String inspect(String target, String format) {
    Result r = exec(Duration.ofSeconds(30), "docker", "inspect", "-f", format, target);
    if (r.exitCode() != 0) {
      throw new AssertionError("docker inspect " + target + " failed:\n" + r.output());
    }
    return r.trimmed();
  }

  String logs(String container) {
    return exec(Duration.ofSeconds(30), "docker", "logs", "--tail", "200", container).output();
  }

  @Override
  public void close() {
    if (!containers.isEmpty()) {
      // One command for them all: the engine removes them side by side.
      List<String> command = new ArrayList<>(List.of("docker", "rm", "-f", "-v"));
      command.addAll(containers);
      exec(Duration.ofSeconds(60), command.toArray(String[]::new));
    }
    containers.clear();
  }

  static Result exec(Duration timeout, String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
      // Read while it runs: a full pipe would stall a chatty build.
      var output = new java.io.ByteArrayOutputStream();
      Thread reader = new Thread(() -> {
        try {
          process.getInputStream().transferTo(output);
        } catch (IOException ignored) {
          // the process went away
        }
      });
      reader.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        reader.join(5_000);
        throw new AssertionError(String.join(" ", command) + " did not end within " + timeout + ":\n"
            + output.toString(StandardCharsets.UTF_8));
      }
      reader.join(5_000);
      return new Result(process.exitValue(), output.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command[0] + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
