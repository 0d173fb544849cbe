package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One deliberate mistake in a copy of terraform/, and what a check must say about it: how the
 * tests show that each check can fail.
 */
record TerraformBreakage(String what, List<Edit> edits, String expected) {

  /** Replace the first occurrence of {@code from} in {@code file} (relative to terraform/). */
  record Edit(String file, String from, String to) {}

  static TerraformBreakage of(String what, String file, String from, String to, String expected) {
    return new TerraformBreakage(what, List.of(new Edit(file, from, to)), expected);
  }

  /** A fresh copy of {@code terraform} under the module's target/, with the edits made. */
  Path applyTo(Path terraform) {
    Path copy = Repository.path("tests/delivery/target/terraform-breakages/" + what.replaceAll("[^A-Za-z0-9]+", "-"));
    try {
      delete(copy);
      try (Stream<Path> walk = Files.walk(terraform)) {
        for (Path source : walk.filter(path -> !path.toString().contains("/.terraform")).toList()) {
          Path target = copy.resolve(terraform.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.copy(source, target);
          }
        }
      }
      for (Edit edit : edits) {
        Path file = copy.resolve(edit.file());
        String text = Files.readString(file);
        assertThat(text).as("the breakage \"%s\" needs %s in %s", what, edit.from(), edit.file()).contains(edit.from());
        int at = text.indexOf(edit.from());
        Files.writeString(file, text.substring(0, at) + edit.to() + text.substring(at + edit.from().length()));
      }
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  @Override
  public String toString() {
    return what;
  }
}
