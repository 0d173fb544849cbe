package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One deliberate mistake in a copy of .github/, and what a check must say about it: how the tests show
 * that each check of the workflows can fail.
 *
 * @param file relative to .github/, e.g. workflows/ci.yml
 * @param from replaced at its first occurrence, which must exist
 */
record WorkflowBreakage(String what, String file, String from, String to, String expected) {

  static final Path GITHUB = Repository.path(".github");

  /** A fresh copy of .github under the module's target/, with the edit made; returns the copy's .github. */
  Path apply() {
    Path copy = Repository.path("tests/delivery/target/workflow-breakages/" + what.replaceAll("[^A-Za-z0-9]+", "-"))
        .resolve(".github");
    DirectoryCopy.of(GITHUB, copy);
    Path edited = copy.resolve(file);
    try {
      String text = Files.readString(edited);
      assertThat(text).as("the breakage \"%s\" needs %s in %s", what, from, file).contains(from);
      int at = text.indexOf(from);
      Files.writeString(edited, text.substring(0, at) + to + text.substring(at + from.length()));
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return what;
  }
}
