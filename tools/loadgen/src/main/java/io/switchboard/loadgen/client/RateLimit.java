package io.switchboard.loadgen.client;

/**
 * A token bucket for one socket's outgoing messages, so a simulated participant stays under the
 * signaling pod's per-socket limit (50 messages/s, burst 200 by default: above it the pod closes
 * the socket with 1008) however many streams it negotiates at once. Not thread-safe: its
 * {@link Outbox} calls it under its own lock. Time is passed in (nanoseconds), never read here.
 */
final class RateLimit {

  private final double perNano;
  private final double burst;
  private double tokens;
  private long refilledAt;

  /** {@code perSecond <= 0} means no limit. */
  RateLimit(double perSecond, int burst, long now) {
    this.perNano = perSecond / 1e9;
    this.burst = Math.max(1, burst);
    this.tokens = this.burst;
    this.refilledAt = now;
  }

  boolean unlimited() {
    return perNano <= 0;
  }

  /** Takes a token and returns 0, or returns how many nanoseconds until one is there (taking none). */
  long take(long now) {
    if (unlimited()) {
      return 0;
    }
    tokens = Math.min(burst, tokens + (now - refilledAt) * perNano);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return (long) Math.ceil((1 - tokens) / perNano);
  }
}
