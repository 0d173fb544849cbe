package io.switchboard.loadgen.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ReportWriterTest {

  private final ReportWriter writer = new ReportWriter();

  static Report sample(boolean ok, Report.Failover failover) {
    Map<String, Latency> latency = new LinkedHashMap<>();
    latency.put("connect", new Latency(50, 1.2, 2.5, 4.0, 4.1, 1.5));
    latency.put("join", new Latency(50, 14.25, 30, 61.5, 70.125, 18));
    latency.put("offerAnswer", new Latency(250, 40, 80, 150, 200, 50));
    latency.put("resume", Latency.NONE);
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("urls", List.of("ws://localhost:8080/groupcall"));
    parameters.put("rooms", 10);
    return new Report("join-storm", "ab12cd", "2026-12-05T10:00:00Z", 3.5, ok,
        ok ? List.of() : List.of("2 stream(s) got no answer within PT30S"), parameters,
        new Report.Participants(50, 50, 0, 0, 0, 0, 0, 0),
        new Report.Streams(250, 250, ok ? 250 : 248, 0, 0, 0, ok ? 0 : 2, 0, ok ? 2.75 : null),
        new Report.Sockets(50, 0, 0, 50, 50), latency,
        new Report.Throughput(25.5, 120, 800, 3500, 2900, 228.571, 1000),
        ok ? Map.of() : Map.of("unavailable", 2L), failover);
  }

  @Test
  void jsonCarriesEveryCountAndLatencyUnderItsName() {
    JsonNode json = JsonMapper.builder().build().readTree(writer.json(sample(true, null)));

    assertThat(json.path("scenario").asString()).isEqualTo("join-storm");
    assertThat(json.path("ok").asBoolean()).isTrue();
    assertThat(json.path("streams").path("expected").asLong()).isEqualTo(250);
    assertThat(json.path("streams").path("settled").asLong()).isEqualTo(250);
    assertThat(json.path("streams").path("secondsToAllSettled").asDouble()).isEqualTo(2.75);
    assertThat(json.path("latency").path("join").path("p99").asDouble()).isEqualTo(61.5);
    assertThat(json.path("latency").path("offerAnswer").path("count").asLong()).isEqualTo(250);
    assertThat(json.path("participants").path("joined").asLong()).isEqualTo(50);
    assertThat(json.path("throughput").path("messagesReceived").asLong()).isEqualTo(3500);
    assertThat(json.path("parameters").path("rooms").asInt()).isEqualTo(10);
    assertThat(json.path("failover").isNull()).isTrue();
  }

  @Test
  void markdownTablesForPeople() {
    String md = writer.markdown(sample(false, null));

    assertThat(md).startsWith("# loadgen join-storm — run ab12cd\n");
    assertThat(md).contains("**FAILED**", "- 2 stream(s) got no answer within PT30S");
    assertThat(md).contains("| 250 | 250 | 248 | 0 | 0 | 0 | 2 | 0 | — |");
    assertThat(md).contains("| joinRoom → existingParticipants | 50 | 14.25 | 30 | 61.5 | 70.125 | 18 |");
    assertThat(md).contains("| receiveVideoFrom → receiveVideoAnswer | 250 | 40 | 80 | 150 | 200 | 50 |");
    assertThat(md).doesNotContain("resume → resumed"); // nothing measured: no row
    assertThat(md).contains("| unavailable | 2 |");
    assertThat(md).doesNotContain("## Failover");
  }

  @Test
  void aSuccessfulRunSaysWhenAllHadSettled() {
    String md = writer.markdown(sample(true, null));

    assertThat(md).contains("**OK**", "| 2.75 s |", "## Errors\n\nNone.");
  }

  @Test
  void theFailoverSectionOnlyInFailoverRuns() {
    String md = writer.markdown(sample(true, new Report.Failover("kill -9 1234 | true", 0, 6.5, 5, 4, 1)));

    assertThat(md).contains("## Failover", "| `kill -9 1234 \\| true` | 0 | 6.5 s | 5 | 4 | 1 |");
  }

  @Test
  void bothFilesAreWrittenUnderTheScenarioAndRunId(@TempDir Path dir) throws Exception {
    ReportWriter.Written written = writer.write(sample(true, null), dir.resolve("reports"));

    assertThat(written.json()).isEqualTo(dir.resolve("reports/join-storm-ab12cd.json"));
    assertThat(written.markdown()).isEqualTo(dir.resolve("reports/join-storm-ab12cd.md"));
    assertThat(Files.readString(written.json())).contains("\"settled\" : 250");
    assertThat(Files.readString(written.markdown())).contains("## Streams");
  }

  @Test
  void numbersWithoutTrailingZeros() {
    assertThat(ReportWriter.num(2.0)).isEqualTo("2");
    assertThat(ReportWriter.num(2.5)).isEqualTo("2.5");
    assertThat(ReportWriter.num(0.1234)).isEqualTo("0.123");
    assertThat(ReportWriter.num(1234.5)).isEqualTo("1234.5");
    assertThat(ReportWriter.num(0)).isEqualTo("0");
  }
}
