package io.switchboard.kms.emulator;

import java.time.Duration;

/** Failure modes a test switches on to see how a client copes with a sick KMS. */
public final class Faults {

  private volatile boolean hung;
  private volatile long latencyMillis;

  /** While hung the emulator reads every frame and answers nothing, not even pings or events. */
  public boolean hung() {
    return hung;
  }

  public void hang(boolean value) {
    this.hung = value;
  }

  /** Delay added before each request is handled. */
  public Duration latency() {
    return Duration.ofMillis(latencyMillis);
  }

  public void latency(Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative");
    }
    this.latencyMillis = value.toMillis();
  }

  /** Back to healthy: no hang, no added latency. */
  public void clear() {
    hung = false;
    latencyMillis = 0;
  }
}
