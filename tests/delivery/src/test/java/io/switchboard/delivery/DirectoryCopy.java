package io.switchboard.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A fresh copy of a folder for a test to change: whatever an earlier run left there is removed first. */
final class DirectoryCopy {

  private DirectoryCopy() {}

  static Path of(Path from, Path to) {
    try {
      if (Files.exists(to)) {
        try (Stream<Path> old = Files.walk(to)) {
          for (Path path : old.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(path);
          }
        }
      }
      try (Stream<Path> walk = Files.walk(from)) {
        for (Path source : walk.toList()) {
          Path target = to.resolve(from.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.copy(source, target);
          }
        }
      }
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
