package io.switchboard.signaling.domain;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Steps of a clean-up that must go on whatever fails: each runs, and a failure is logged, not thrown. */
final class BestEffort {

  private static final Logger log = LoggerFactory.getLogger(BestEffort.class);

  private BestEffort() {}

  /** Runs one step for {@code name} in {@code roomId}, logging (not throwing) its failure. */
  static void run(String name, String roomId, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      log.warn("{} of room {}: a clean-up step failed: {}", name, roomId, e.toString());
    }
  }
}
