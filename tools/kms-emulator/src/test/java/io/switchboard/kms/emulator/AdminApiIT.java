package io.switchboard.kms.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each fault of the admin HTTP API, observed by a client on the KMS socket. */
class AdminApiIT {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private KmsEmulator kms;
  private String admin;

  @BeforeEach
  void start() {
    kms = KmsEmulator.start(EmulatorConfig.defaults().withAdminPort(0));
    admin = "http://127.0.0.1:" + kms.adminPort().orElseThrow();
  }

  @AfterEach
  void stop() {
    kms.close();
  }

  @Test
  void statusReportsObjectsAndFaults() throws Exception {
    try (RawKmsClient c = RawKmsClient.connect(kms.url())) {
      c.call("create", RawKmsClient.params().put("type", "MediaPipeline").set("constructorParams", RawKmsClient.params()));
      JsonNode status = json(get("/status"));
      assertThat(status.path("pipelines").asInt()).isEqualTo(1);
      assertThat(status.path("sessions").asInt()).isEqualTo(1);
      assertThat(status.path("url").asText()).isEqualTo(kms.url());
      assertThat(status.path("faults").path("hung").asBoolean()).isFalse();
    }
  }

  @Test
  void hangSilencesEverythingUntilCleared() throws Exception {
    try (RawKmsClient c = RawKmsClient.connect(kms.url())) {
      assertThat(post("/faults/hang").statusCode()).isEqualTo(200);
      c.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
      assertThat(c.silentFor(500)).isTrue();
      assertThat(json(get("/status")).path("faults").path("hung").asBoolean()).isTrue();

      post("/faults/clear");
      assertThat(c.call("ping", null).path("result").path("value").asText()).isEqualTo("pong");
    }
  }

  @Test
  void latencyDelaysEachAnswer() throws Exception {
    try (RawKmsClient c = RawKmsClient.connect(kms.url())) {
      assertThat(post("/faults/latency?millis=300").statusCode()).isEqualTo(200);
      long started = System.nanoTime();
      c.call("ping", null);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }
  }

  @Test
  void dropClosesEveryConnectionWithoutACloseFrame() throws Exception {
    try (RawKmsClient a = RawKmsClient.connect(kms.url()); RawKmsClient b = RawKmsClient.connect(kms.url())) {
      a.call("ping", null);
      b.call("ping", null);
      assertThat(post("/faults/drop").statusCode()).isEqualTo(200);
      assertThat(a.closed()).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1006);
      assertThat(b.closed()).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1006);
    }
    try (RawKmsClient again = RawKmsClient.connect(kms.url())) {
      assertThat(again.call("ping", null).path("result").path("value").asText()).isEqualTo("pong");
    }
  }

  @Test
  void loadOverridesWhatGetUsedCpuReports() throws Exception {
    try (RawKmsClient c = RawKmsClient.connect(kms.url())) {
      post("/load?cpu=87.5");
      assertThat(usedCpu(c)).isEqualTo(87.5);
      post("/load");
      assertThat(usedCpu(c)).isEqualTo(0.0);
    }
  }

  @Test
  void exitKillsTheServer() throws Exception {
    try (RawKmsClient c = RawKmsClient.connect(kms.url())) {
      assertThat(post("/exit").statusCode()).isEqualTo(200);
      assertThat(c.closed()).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1006);
      assertThat(kms.running()).isFalse();
    }
  }

  @Test
  void badRequestsGetJsonErrors() throws Exception {
    HttpResponse<String> badLatency = post("/faults/latency?millis=-5");
    assertThat(badLatency.statusCode()).isEqualTo(400);
    assertThat(json(badLatency).path("error").asText()).contains("millis");
    assertThat(post("/load?cpu=lots").statusCode()).isEqualTo(400);
    assertThat(get("/faults/hang").statusCode()).isEqualTo(405);
    HttpResponse<String> unknown = post("/nope");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(json(get("/status")).path("faults").path("latencyMillis").asInt()).isZero();
  }

  private double usedCpu(RawKmsClient c) {
    return c.call("invoke", RawKmsClient.params().put("object", "manager_ServerManager").put("operation", "getUsedCpu")
        .set("operationParams", RawKmsClient.params().put("interval", 1))).path("result").path("value").asDouble();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(admin + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(admin + path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return MAPPER.readTree(response.body());
  }
}
