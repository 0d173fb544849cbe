package io.switchboard.loadgen.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimitTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void aBurstGoesAtOnceThenTheRateApplies() {
    RateLimit limit = new RateLimit(10, 3, 0);

    assertThat(limit.take(0)).isZero();
    assertThat(limit.take(0)).isZero();
    assertThat(limit.take(0)).isZero();
    assertThat(limit.take(0)).isEqualTo(SECOND / 10);
    assertThat(limit.take(SECOND / 20)).isEqualTo(SECOND / 20);
    assertThat(limit.take(SECOND / 10)).isZero();
  }

  @Test
  void anIdleBucketRefillsOnlyUpToItsBurst() {
    RateLimit limit = new RateLimit(10, 2, 0);

    limit.take(0);
    limit.take(0);
    assertThat(limit.take(100 * SECOND)).isZero();
    assertThat(limit.take(100 * SECOND)).isZero();
    assertThat(limit.take(100 * SECOND)).isPositive();
  }

  @Test
  void neverFasterThanThePodsLimitOverAnySecond() {
    // The defaults (40/s, burst 150) against the pod's 50/s, burst 200: a socket sending as fast
    // as it may never has more than 200 + 50·t messages out after t seconds.
    RateLimit limit = new RateLimit(40, 150, 0);
    long now = 0;
    int sent = 0;
    while (now < 10 * SECOND) {
      long wait = limit.take(now);
      if (wait == 0) {
        sent++;
        assertThat(sent).isLessThanOrEqualTo(200 + (int) (50 * now / SECOND));
      } else {
        now += wait;
      }
    }
    assertThat(sent).isBetween(150 + 399, 150 + 401);
  }

  @Test
  void zeroMeansNoLimit() {
    RateLimit limit = new RateLimit(0, 1, 0);

    for (int i = 0; i < 10_000; i++) {
      assertThat(limit.take(0)).isZero();
    }
  }
}
