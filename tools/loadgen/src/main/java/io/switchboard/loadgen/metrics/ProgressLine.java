package io.switchboard.loadgen.metrics;

import java.util.Locale;

/**
 * The one line printed every second while a run goes on: what is open, joined and settled so far,
 * the rates over the last interval, and errors.
 *
 * <pre>[  12s] sockets 50 open | joined 50/50 | streams 231/250 settled, 0 failed | join p50 14.2 ms | answer p50 48.1 ms | out 310/s in 1204/s | errors 0</pre>
 */
public final class ProgressLine {

  private ProgressLine() {}

  /**
   * @param plannedParticipants how many are meant to join (0: the scenario joins nobody)
   * @param expectedStreams streams the scenario expects (0: unknown in advance, the offered count is shown)
   */
  public static String format(double elapsedSeconds, RunMetrics.Snapshot now, RunMetrics.Snapshot before,
      double intervalSeconds, long plannedParticipants, long expectedStreams, Latency join, Latency answer) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "[%5.0fs] sockets %d open", elapsedSeconds, now.open()));
    if (plannedParticipants > 0) {
      s.append(" | joined ").append(now.joined()).append('/').append(plannedParticipants);
      if (now.left() > 0) {
        s.append(", ").append(now.left()).append(" left");
      }
      if (now.dropped() > 0) {
        s.append(", ").append(now.dropped()).append(" dropped, ").append(now.resumed()).append(" resumed");
      }
    }
    if (now.offered() > 0 || expectedStreams > 0) {
      s.append(" | streams ").append(now.settled()).append('/')
          .append(expectedStreams > 0 ? expectedStreams : now.offered()).append(" settled, ")
          .append(now.failed()).append(" failed");
    }
    if (join.count() > 0) {
      s.append(String.format(Locale.ROOT, " | join p50 %.1f ms", join.p50()));
    }
    if (answer.count() > 0) {
      s.append(String.format(Locale.ROOT, " | answer p50 %.1f ms", answer.p50()));
    }
    double seconds = Math.max(intervalSeconds, 1e-3);
    s.append(String.format(Locale.ROOT, " | out %.0f/s in %.0f/s", (now.sent() - before.sent()) / seconds,
        (now.received() - before.received()) / seconds));
    s.append(" | errors ").append(now.errors());
    return s.toString();
  }
}
