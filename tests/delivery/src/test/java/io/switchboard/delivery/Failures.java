package io.switchboard.delivery;

/** The failures of work done side by side: the first one thrown, the others suppressed in it. */
final class Failures {

  private Failures() {}

  /** {@code first} with {@code another} suppressed in it, or {@code another} when there was none yet. */
  static Throwable add(Throwable first, Throwable another) {
    if (first == null) {
      return another;
    }
    first.addSuppressed(another);
    return first;
  }

  /** Throws {@code failed} as it is (wrapped when checked); nothing when it is null. */
  static void rethrow(Throwable failed) {
    if (failed instanceof RuntimeException e) {
      throw e;
    } else if (failed instanceof Error e) {
      throw e;
    } else if (failed != null) {
      throw new IllegalStateException(failed);
    }
  }
}
