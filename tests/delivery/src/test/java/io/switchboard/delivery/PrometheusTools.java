package io.switchboard.delivery;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code prometheus} package: {@code promtool} and the server. A check that cannot find
 * them fails, saying how to install them; it never skips.
 */
final class PrometheusTools {

  private PrometheusTools() {}

  record Result(int exitCode, String output) {}

  static Path promtool() {
    return require("promtool");
  }

  static Path prometheus() {
    return require("prometheus");
  }

  private static Path require(String name) {
    Path debian = Path.of("/usr/bin", name);
    if (Files.isExecutable(debian)) {
      return debian;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(name + " is not installed: it comes with Debian's prometheus package "
        + "(apt-get install prometheus; .ci/run installs it)");
  }

  /** Runs a command to its end (or kills it after {@code timeout}), its output and errors together. */
  static Result run(Duration timeout, Path directory, List<String> command) {
    try {
      Path output = Files.createTempFile(Repository.path("tests/delivery/target"), "promtool-", ".log");
      try {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + ":\n"
              + Files.readString(output, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
