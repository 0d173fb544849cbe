package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.metrics.Report;
import io.switchboard.loadgen.metrics.ReportWriter;

/** A finished run: its report, and the files it was written to (null when no directory was given). */
public record RunResult(Report report, ReportWriter.Written files) {

  /** The process exit status: 0 when every join, stream and resume succeeded in time, else 1. */
  public int exitCode() {
    return report.ok() ? 0 : 1;
  }
}
