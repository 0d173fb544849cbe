package io.switchboard.loadgen.metrics;

import java.util.List;
import java.util.Map;

/**
 * What a run found, as written to the JSON report (field for field) and the Markdown report.
 * tools/loadgen/README.md says what each field means.
 */
public record Report(
    String scenario,
    String runId,
    String startedAt,
    double durationSeconds,
    boolean ok,
    List<String> problems,
    Map<String, Object> parameters,
    Participants participants,
    Streams streams,
    Sockets sockets,
    Map<String, Latency> latency,
    Throughput throughput,
    Map<String, Long> errors,
    Failover failover) {

  /** Simulated participants: how many were meant to join, and what became of them. */
  public record Participants(long planned, long joined, long joinFailed, long left, long dropped, long resumed,
      long resumeFailed, long mediaMoved) {}

  /**
   * Media streams (one per {@code receiveVideoFrom}: a publish or a subscription). Settled: its
   * {@code receiveVideoAnswer} arrived.
   */
  public record Streams(long expected, long offered, long settled, long late, long failed, long cancelled,
      long unsettled, long missing, Double secondsToAllSettled) {}

  public record Sockets(long opened, long connectFailed, long closedUnexpectedly, long peakOpen, long openAtEnd) {}

  public record Throughput(double joinsPerSecond, double streamsSettledPerSecond, long messagesSent,
      long messagesReceived, long iceCandidatesReceived, double messagesSentPerSecond,
      double messagesReceivedPerSecond) {}

  /** The failover scenario's kill and what followed it; null in other scenarios. */
  public record Failover(String killCommand, Integer killExitCode, double killedAtSeconds, long participantsDropped,
      long participantsResumed, long participantsNotBack) {}
}
