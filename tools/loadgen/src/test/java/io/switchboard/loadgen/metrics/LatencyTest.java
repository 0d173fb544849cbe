package io.switchboard.loadgen.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyTest {

  @Test
  void percentilesInMillisecondsFromMicroseconds() {
    Histogram h = new Histogram(3_600_000_000L, 3);
    for (int ms = 1; ms <= 100; ms++) {
      h.recordValue(ms * 1000L);
    }

    Latency l = Latency.of(h);

    assertThat(l.count()).isEqualTo(100);
    assertThat(l.p50()).isCloseTo(50, within(0.1));
    assertThat(l.p90()).isCloseTo(90, within(0.1));
    assertThat(l.p99()).isCloseTo(99, within(0.1));
    assertThat(l.max()).isCloseTo(100, within(0.1));
    assertThat(l.mean()).isCloseTo(50.5, within(0.1));
  }

  @Test
  void nothingRecordedIsAllZero() {
    assertThat(Latency.of(new Histogram(3))).isEqualTo(Latency.NONE);
  }

  @Test
  void runMetricsRecordNanosecondsAndClampToTheHistogramsRange() {
    RunMetrics metrics = new RunMetrics();

    metrics.record(RunMetrics.Timing.JOIN, 12_345_000L);
    metrics.record(RunMetrics.Timing.JOIN, 0);
    metrics.record(RunMetrics.Timing.JOIN, Long.MAX_VALUE);

    Latency join = metrics.latency(RunMetrics.Timing.JOIN);
    assertThat(join.count()).isEqualTo(3);
    assertThat(join.p50()).isCloseTo(12.345, within(0.02));
    assertThat(join.max()).isCloseTo(3_600_000, within(3_600.0));
  }
}
