package io.switchboard.delivery;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root, found from the working directory (Maven runs tests in the module). */
final class Repository {

  private Repository() {}

  static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("services"))) {
        return dir;
      }
    }
    throw new IllegalStateException("not inside the Switchboard repository: " + Path.of("").toAbsolutePath());
  }

  static Path path(String relative) {
    return root().resolve(relative);
  }
}
