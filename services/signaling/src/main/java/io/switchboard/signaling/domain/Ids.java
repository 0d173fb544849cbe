package io.switchboard.signaling.domain;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers that must be unique but guard nothing: memberships, presence events, lock owners.
 * {@link UUID#randomUUID()} draws on one JDK-wide {@code SecureRandom} behind one lock (reading
 * {@code /dev/urandom} under it on Linux): a burst of joins on two cores queued on it (2.3 s of
 * waits in all in a pod's first burst of 50 joins). These come from the calling thread's own
 * generator instead, in the same form (a version 4 UUID). Secrets — resume tokens — do not come
 * from here ({@link SessionTokens}).
 */
final class Ids {

  private Ids() {}

  /** A random version 4 UUID, as text. */
  static String fresh() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
    return new UUID(high, low).toString();
  }
}
