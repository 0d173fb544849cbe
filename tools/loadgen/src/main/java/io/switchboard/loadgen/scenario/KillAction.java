package io.switchboard.loadgen.scenario;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** What the failover scenario does to the system mid-run: usually a shell command that kills a pod. */
@FunctionalInterface
public interface KillAction {

  /** Does it; the exit status when there is one (null: none). */
  Integer run() throws Exception;

  /** {@code /bin/sh -c command}, its output passed through, given up on (and killed) after {@code timeout}. */
  static KillAction shell(String command, Duration timeout) {
    return () -> {
      Process process;
      try {
        process = new ProcessBuilder("/bin/sh", "-c", command).inheritIO().start();
      } catch (IOException e) {
        throw new IOException("could not run the kill command: " + e.getMessage(), e);
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IOException("the kill command was still running after " + timeout);
      }
      return process.exitValue();
    };
  }
}
