package io.switchboard.launchers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A directory a test resource owns and removes, with everything in it, when it stops. */
final class TemporaryDirectory implements AutoCloseable {

  private final Path path;

  TemporaryDirectory(String prefix) {
    try {
      this.path = Files.createTempDirectory(prefix).toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path path() {
    return path;
  }

  @Override
  public void close() {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove " + path, e);
    }
  }
}
