package io.switchboard.loadgen.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** A {@link Report} as JSON (for tools) and as Markdown (for people and docs/benchmarks.md). */
public final class ReportWriter {

  /** What the Markdown report calls each latency. */
  private static final Map<String, String> LATENCY_NAMES = Map.of(
      "connect", "connect (TCP + WebSocket handshake)",
      "join", "joinRoom → existingParticipants",
      "offerAnswer", "receiveVideoFrom → receiveVideoAnswer",
      "arrival", "joinRoom → newParticipantArrived at each other participant",
      "resume", "resume → resumed",
      "recovery", "socket dropped → resumed",
      "killToResumed", "kill command → resumed",
      "kmsRoundTrip", "KMS JSON-RPC ping → pong (the floor)",
      "joinFloor", "floor of a join: KMS create + subscribe + Redis PING, one after another",
      "offerFloor", "floor of an offer: KMS create + subscribe + connect + candidates + processOffer + Redis PING");

  private final JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  /** The two files written into {@code directory}. */
  public record Written(Path json, Path markdown) {}

  /** Writes {@code <scenario>-<runId>.json} and {@code .md} into {@code directory} (created if need be). */
  public Written write(Report report, Path directory) {
    try {
      Files.createDirectories(directory);
      String base = report.scenario() + "-" + report.runId();
      Path jsonFile = directory.resolve(base + ".json");
      Path markdownFile = directory.resolve(base + ".md");
      Files.writeString(jsonFile, json(report) + "\n", StandardCharsets.UTF_8);
      Files.writeString(markdownFile, markdown(report), StandardCharsets.UTF_8);
      return new Written(jsonFile, markdownFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String json(Report report) {
    return json.writeValueAsString(report);
  }

  public String markdown(Report r) {
    StringBuilder md = new StringBuilder();
    md.append("# loadgen ").append(r.scenario()).append(" — run ").append(r.runId()).append("\n\n");
    md.append("Started ").append(r.startedAt()).append(", ran ").append(num(r.durationSeconds())).append(" s: **")
        .append(r.ok() ? "OK" : "FAILED").append("**\n");
    for (String problem : r.problems()) {
      md.append("- ").append(problem).append('\n');
    }
    md.append("\n| parameter | value |\n|---|---|\n");
    r.parameters().forEach((k, v) -> md.append("| ").append(k).append(" | ").append(cell(v)).append(" |\n"));

    Report.Streams s = r.streams();
    md.append("\n## Streams\n\n")
        .append("| expected | offered | settled | late | failed | cancelled | unsettled | missing | all settled after |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n")
        .append(row(s.expected(), s.offered(), s.settled(), s.late(), s.failed(), s.cancelled(), s.unsettled(),
            s.missing(), s.secondsToAllSettled() == null ? "—" : num(s.secondsToAllSettled()) + " s"));

    md.append("\n## Latency (ms)\n\n| | count | p50 | p90 | p99 | max | mean |\n|---|---|---|---|---|---|---|\n");
    r.latency().forEach((key, l) -> {
      if (l.count() > 0) {
        md.append(row(LATENCY_NAMES.getOrDefault(key, key), l.count(), num(l.p50()), num(l.p90()), num(l.p99()),
            num(l.max()), num(l.mean())));
      }
    });

    Report.Participants p = r.participants();
    md.append("\n## Participants\n\n| planned | joined | join failed | left | dropped | resumed | resume failed | media moved |\n")
        .append("|---|---|---|---|---|---|---|---|\n")
        .append(row(p.planned(), p.joined(), p.joinFailed(), p.left(), p.dropped(), p.resumed(), p.resumeFailed(),
            p.mediaMoved()));

    Report.Sockets k = r.sockets();
    md.append("\n## Sockets\n\n| opened | connect failed | closed unexpectedly | peak open | open at end |\n")
        .append("|---|---|---|---|---|\n")
        .append(row(k.opened(), k.connectFailed(), k.closedUnexpectedly(), k.peakOpen(), k.openAtEnd()));

    Report.Throughput t = r.throughput();
    md.append("\n## Throughput\n\n| joins/s | streams settled/s | messages sent | messages received | ICE candidates received | sent/s | received/s |\n")
        .append("|---|---|---|---|---|---|---|\n")
        .append(row(num(t.joinsPerSecond()), num(t.streamsSettledPerSecond()), t.messagesSent(),
            t.messagesReceived(), t.iceCandidatesReceived(), num(t.messagesSentPerSecond()),
            num(t.messagesReceivedPerSecond())));

    if (r.failover() != null) {
      Report.Failover f = r.failover();
      md.append("\n## Failover\n\n| kill command | exit code | killed at | dropped | resumed | not back |\n")
          .append("|---|---|---|---|---|---|\n")
          .append(row(f.killCommand() == null ? "—" : "`" + f.killCommand().replace("|", "\\|") + "`",
              f.killExitCode() == null ? "—" : f.killExitCode(), num(f.killedAtSeconds()) + " s",
              f.participantsDropped(), f.participantsResumed(), f.participantsNotBack()));
    }

    md.append("\n## Errors\n\n");
    if (r.errors().isEmpty()) {
      md.append("None.\n");
    } else {
      md.append("| code | count |\n|---|---|\n");
      r.errors().forEach((code, n) -> md.append(row(code, n)));
    }
    return md.toString();
  }

  private static String row(Object... cells) {
    StringBuilder s = new StringBuilder("|");
    for (Object c : cells) {
      s.append(' ').append(cell(c)).append(" |");
    }
    return s.append('\n').toString();
  }

  private static String cell(Object value) {
    return String.valueOf(value).replace("\n", " ");
  }

  /** Up to three decimals, no trailing zeros; thousands unseparated (machine-friendly). */
  static String num(double value) {
    String s = String.format(Locale.ROOT, "%.3f", value);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
