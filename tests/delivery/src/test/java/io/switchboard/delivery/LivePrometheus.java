package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.launchers.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus server (Debian's) on loopback, scraping given targets every second and
 * evaluating a rule file every second, its data under a directory of the module's target/.
 */
final class LivePrometheus implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path directory;
  private final String url;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private LivePrometheus(Process process, Path directory, int port) {
    this.process = process;
    this.directory = directory;
    this.url = "http://" + LoopbackPorts.HOST + ":" + port;
  }

  /**
   * Starts Prometheus on a free port with {@code rules} loaded and one job scraping
   * {@code /actuator/prometheus} of each target (host:port → its target labels). The job honours
   * the services' labels, as production's must ({@code service}, and the gateway's {@code pod}).
   */
  static LivePrometheus start(Path directory, Path rules, Map<String, Map<String, String>> targets) {
    int port = LoopbackPorts.free();
    StringBuilder config = new StringBuilder("""
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - "%s"
        scrape_configs:
          - job_name: switchboard
            honor_labels: true
            metrics_path: /actuator/prometheus
            static_configs:
        """.formatted(rules.toAbsolutePath()));
    targets.forEach((target, labels) -> {
      config.append("      - targets: [\"").append(target).append("\"]\n        labels:\n");
      labels.forEach((k, v) -> config.append("          ").append(k).append(": \"").append(v).append("\"\n"));
    });
    try {
      Files.createDirectories(directory);
      Path file = Files.writeString(directory.resolve("prometheus.yml"), config);
      Process process = new ProcessBuilder(PrometheusTools.prometheus().toString(),
          "--config.file=" + file, "--storage.tsdb.path=" + directory.resolve("data"),
          "--web.listen-address=" + LoopbackPorts.HOST + ":" + port, "--log.level=warn")
          .redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile()).start();
      LivePrometheus prometheus = new LivePrometheus(process, directory, port);
      prometheus.awaitReady();
      return prometheus;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("prometheus exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(url + "/-/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(200);
    }
    close();
    throw new IllegalStateException("prometheus not ready within " + READY_TIMEOUT + ":\n" + log());
  }

  /**
   * {@code /api/v1/query} at this instant: the whole answer, {@code status} "success" with
   * {@code data.result}, or "error" with {@code error} (a query that does not parse).
   */
  JsonNode query(String promql) {
    return post("/api/v1/query", "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  /** The series an instant query returns, failing on an error answer. */
  List<JsonNode> series(String promql) {
    JsonNode answer = query(promql);
    if (!answer.path("status").asText().equals("success")) {
      throw new AssertionError(promql + ": " + answer.path("error").asText());
    }
    List<JsonNode> series = new ArrayList<>();
    answer.path("data").path("result").forEach(series::add);
    return series;
  }

  /** {@code /api/v1/rules}: every group, rule, its health, last error and alert state. */
  JsonNode rules() {
    return get("/api/v1/rules").path("data");
  }

  /** Values of a label among the series {@code match} selects ({@code /api/v1/label/<name>/values}). */
  List<String> labelValues(String label, String match) {
    List<String> values = new ArrayList<>();
    get("/api/v1/label/" + label + "/values?match[]=" + URLEncoder.encode(match, StandardCharsets.UTF_8))
        .path("data").forEach(v -> values.add(v.asText()));
    return values;
  }

  /** Its own log, for failure messages. */
  String log() {
    try {
      return Files.readString(directory.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private JsonNode get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).build());
  }

  private JsonNode post(String path, String form) {
    return send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build());
  }

  private JsonNode send(HttpRequest request) {
    try {
      return MonitoringFiles.JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the server and removes its data (the configuration and log stay for a post-mortem). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> walk = Files.walk(directory.resolve("data"))) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // nothing written yet, or already gone
    }
  }
}
