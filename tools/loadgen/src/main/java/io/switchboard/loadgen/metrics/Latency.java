package io.switchboard.loadgen.metrics;

import org.HdrHistogram.Histogram;

/**
 * A latency distribution summed up, in milliseconds: how many, the 50th, 90th and 99th
 * percentiles, the largest and the mean. All zero when nothing was recorded.
 */
public record Latency(long count, double p50, double p90, double p99, double max, double mean) {

  public static final Latency NONE = new Latency(0, 0, 0, 0, 0, 0);

  /** From a histogram recorded in microseconds. */
  public static Latency of(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return NONE;
    }
    return new Latency(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)),
        ms(micros.getValueAtPercentile(90)), ms(micros.getValueAtPercentile(99)), ms(micros.getMaxValue()),
        Math.round(micros.getMean()) / 1000.0);
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
