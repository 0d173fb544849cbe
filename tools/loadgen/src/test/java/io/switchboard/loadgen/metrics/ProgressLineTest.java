package io.switchboard.loadgen.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressLineTest {

  @Test
  void joinsStreamsRatesAndErrorsOnOneLine() {
    RunMetrics metrics = new RunMetrics();
    RunMetrics.Snapshot before = metrics.snapshot();
    for (int i = 0; i < 50; i++) {
      metrics.socketOpened(1_000_000);
      metrics.joined(0, 14_000_000);
    }
    for (int i = 0; i < 300; i++) {
      metrics.sent();
    }
    for (int i = 0; i < 231; i++) {
      metrics.offered(0);
      metrics.settled(0, 48_000_000, false);
    }
    metrics.error("unavailable");

    String line = ProgressLine.format(12.2, metrics.snapshot(), before, 1.0, 50, 250,
        metrics.latency(RunMetrics.Timing.JOIN), metrics.latency(RunMetrics.Timing.OFFER_ANSWER));

    assertThat(line).isEqualTo("[   12s] sockets 50 open | joined 50/50 | streams 231/250 settled, 0 failed"
        + " | join p50 14.0 ms | answer p50 48.0 ms | out 300/s in 0/s | errors 1");
  }

  @Test
  void idleSocketsShowOnlyWhatTheyDo() {
    RunMetrics metrics = new RunMetrics();
    RunMetrics.Snapshot before = metrics.snapshot();
    metrics.socketOpened(1_000_000);

    String line = ProgressLine.format(1, metrics.snapshot(), before, 1.0, 0, 0, Latency.NONE, Latency.NONE);

    assertThat(line).isEqualTo("[    1s] sockets 1 open | out 0/s in 0/s | errors 0");
  }
}
