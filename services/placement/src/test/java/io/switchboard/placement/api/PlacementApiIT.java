package io.switchboard.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The placement API with real Redis and three KMS emulators behind it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PlacementApiIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(3);

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.url", REDIS::url);
    registry.add("switchboard.service-token", () -> io.switchboard.testing.TestCredentials.SERVICE_TOKEN);
    registry.add("switchboard.placement.nodes", KMS::urlList);
    registry.add("switchboard.placement.poll-interval", () -> "200ms");
    registry.add("switchboard.placement.cpu-sample", () -> "10ms");
    registry.add("switchboard.placement.request-timeout", () -> "1s");
  }

  @AfterAll
  static void stop() {
    KMS.close();
    REDIS.close();
  }

  @LocalServerPort
  int port;

  @org.springframework.beans.factory.annotation.Value("${local.management.port}")
  int managementPort;

  @Autowired
  StringRedisTemplate redis;

  Http http;

  @BeforeEach
  void awaitNodes() {
    http = new Http(port);
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      JsonNode nodes = http.get("/v1/nodes").json();
      if (nodes == null || nodes.size() != 3) {
        return false;
      }
      for (JsonNode n : nodes) {
        if (!n.path("state").asText().equals("SERVING") || n.path("lastHeartbeat").isNull()) {
          return false;
        }
      }
      return true;
    });
    for (String room : redis.keys(PlacementKeys.PREFIX + "room:*")) {
      http.delete("/v1/rooms/" + room.substring(room.lastIndexOf(':') + 1) + "/placement");
    }
  }

  @Test
  void aRoomIsPlacedReadAndReleased() {
    Http.Response put = http.put("/v1/rooms/standup/placement", "{\"expectedParticipants\":3}");
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.json().path("roomId").asText()).isEqualTo("standup");
    assertThat(KMS.urls()).contains(put.json().path("kmsUrl").asText());
    assertThat(put.json().path("placedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    String nodeId = put.json().path("nodeId").asText();
    assertThat(node(nodeId).path("reserved").asInt()).isEqualTo(9);

    Http.Response get = http.get("/v1/rooms/standup/placement");
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.json()).isEqualTo(put.json());

    assertThat(http.delete("/v1/rooms/standup/placement").status()).isEqualTo(204);
    assertThat(node(nodeId).path("reserved").asInt()).isZero();
    Http.Response gone = http.get("/v1/rooms/standup/placement");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().path("code").asText()).isEqualTo("not-placed");
    assertThat(http.delete("/v1/rooms/standup/placement").status()).isEqualTo(404);
  }

  @Test
  void withoutTheServiceTokenNothingIsDrainedOrFreedAndThe401SaysWhatToPresent() {
    String node = http.get("/v1/nodes").json().get(0).path("id").asText();
    assertThat(http.put("/v1/rooms/guarded/placement", null).status()).isEqualTo(200);
    String wrong = "Bearer another-service-token-0123456789abcdef";
    for (Http stranger : List.of(new Http(port, null), new Http(port, wrong), new Http(port, "Basic c2VydmljZTp4"))) {
      for (Http.Response r : List.of(stranger.post("/v1/nodes/" + node + "/drain", "{\"deadlineSeconds\":0}"),
          stranger.delete("/v1/rooms/guarded/placement"), stranger.get("/v1/nodes"),
          stranger.put("/v1/rooms/other/placement", null))) {
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(r.json().path("code").asText()).isEqualTo("unauthorized");
        assertThat(r.json().path("detail").asText()).contains("switchboard.service-token");
      }
    }
    assertThat(new Http(port, null).get("/v1/nodes").json().path("detail").asText())
        .contains("present switchboard.service-token as 'Authorization: Bearer <token>'");
    assertThat(new Http(port, wrong).get("/v1/nodes").json().path("detail").asText())
        .contains("is not this service's switchboard.service-token");
    // Nothing changed: every node still serves, the room is still placed, no other room was.
    assertThat(http.get("/v1/nodes").json()).allSatisfy(n -> assertThat(n.path("state").asText()).isEqualTo("SERVING"));
    assertThat(http.get("/v1/rooms/guarded/placement").status()).isEqualTo(200);
    assertThat(http.get("/v1/rooms/other/placement").status()).isEqualTo(404);
    assertThat(http.delete("/v1/rooms/guarded/placement").status()).isEqualTo(204);
  }

  @Test
  void concurrentCallersForOneRoomAllGetTheSameNode() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 32; i++) {
        answers.add(pool.submit(() -> http.put("/v1/rooms/race/placement", null).json().path("nodeId").asText()));
      }
      Set<String> nodes = new HashSet<>();
      for (Future<String> f : answers) {
        nodes.add(f.get());
      }
      assertThat(nodes).hasSize(1);
      assertThat(redis.keys(PlacementKeys.PREFIX + "room:race")).hasSize(1);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aBurstOfNewRoomsSpreadsOverTheNodes() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    Map<String, Integer> perNode = new ConcurrentHashMap<>();
    try {
      List<Future<?>> done = new java.util.ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String room = "burst-" + i;
        done.add(pool.submit(() -> perNode.merge(
            http.put("/v1/rooms/" + room + "/placement", "{\"expectedParticipants\":2}").json().path("nodeId").asText(),
            1, Integer::sum)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    // Nothing was built yet, so only reservations tell the nodes apart: an even spread.
    assertThat(perNode).hasSize(3);
    assertThat(perNode.values()).allSatisfy(count -> assertThat(count).isEqualTo(10));
  }

  @Test
  void aRoomLargerThanAnyNodeIs422() {
    // 21 participants need 441 endpoints; the nodes take 400.
    Http.Response r = http.put("/v1/rooms/huge/placement", "{\"expectedParticipants\":21}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().path("code").asText()).isEqualTo("room-too-large");
    assertThat(r.json().path("detail").asText()).contains("441").contains("400");
    assertThat(r.header("Retry-After")).isNull();
    assertThat(redis.keys(PlacementKeys.PREFIX + "room:*")).isEmpty();
  }

  @Test
  void whenNoNodeCanTakeTheRoomTheAnswerIs503WithRetryAfter() {
    // Three rooms of 20 (400 endpoints each) fill the three nodes.
    for (int i = 0; i < 3; i++) {
      assertThat(http.put("/v1/rooms/full-" + i + "/placement", "{\"expectedParticipants\":20}").status()).isEqualTo(200);
    }
    Http.Response r = http.put("/v1/rooms/one-more/placement", "{\"expectedParticipants\":1}");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.header("Retry-After")).isEqualTo("5");
    assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    assertThat(r.json().path("code").asText()).isEqualTo("no-capacity");
    assertThat(r.json().path("detail").asText()).isEqualTo("every serving KMS node is full");
    assertThat(redis.keys(PlacementKeys.PREFIX + "room:*")).hasSize(3);
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3} {4}")
  @CsvSource(delimiter = '|', value = {
      "PUT  | /v1/rooms/a%20b/placement            |                               | 400 | invalid-room-id",
      "PUT  | /v1/rooms/a:b/placement              |                               | 400 | invalid-room-id",
      "PUT  | /v1/rooms/x/placement                | {\"expectedParticipants\":0}    | 400 | invalid-expected-participants",
      "PUT  | /v1/rooms/x/placement                | {\"expectedParticipants\":-3}   | 400 | invalid-expected-participants",
      "PUT  | /v1/rooms/x/placement                | {\"expectedParticipants\":1001} | 400 | invalid-expected-participants",
      "PUT  | /v1/rooms/x/placement                | {\"expectedParticipants\":\"many\"} | 400 | bad-request",
      "PUT  | /v1/rooms/x/placement                | {\"expectedParticipants\":       | 400 | bad-request",
      "PUT  | /v1/rooms/x/placement                | [1,2]                         | 400 | bad-request",
      "GET  | /v1/rooms/%2e%2e/placement           |                               | 400 | invalid-path",
      "POST | /v1/rooms/x/placement                |                               | 405 | method-not-allowed",
      "POST | /v1/nodes/nope/drain                 |                               | 404 | unknown-node",
      "POST | /v1/nodes/nope/undrain               |                               | 404 | unknown-node",
      "POST | /v1/nodes/no%20pe/drain              |                               | 400 | invalid-node-id",
      "POST | /v1/nodes/nope/drain                 | {\"deadlineSeconds\":-1}        | 400 | invalid-deadline",
      "POST | /v1/nodes/nope/drain                 | {oops                          | 400 | bad-request",
  })
  void badInputGetsAJsonErrorAndChangesNothing(String method, String path, String body, int status, String code) {
    Map<String, String> before = snapshot();
    Http.Response r = http.send(method, path.trim(), body == null ? null : body.trim(), "application/json");
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    assertThat(r.json().path("code").asText()).isEqualTo(code);
    assertThat(r.json().path("status").asInt()).isEqualTo(status);
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void roomIdsLongerThan128CharactersAreRefused() {
    assertThat(http.put("/v1/rooms/" + "r".repeat(128) + "/placement", null).status()).isEqualTo(200);
    Http.Response r = http.put("/v1/rooms/" + "r".repeat(129) + "/placement", null);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("code").asText()).isEqualTo("invalid-room-id");
  }

  @Test
  void aBodyThatIsNotJsonIsRefused() {
    Http.Response r = http.send("PUT", "/v1/rooms/x/placement", "expectedParticipants=3", "text/plain");
    assertThat(r.status()).isEqualTo(415);
    assertThat(r.json().path("code").asText()).isEqualTo("unsupported-media-type");
    assertThat(redis.keys(PlacementKeys.PREFIX + "room:*")).isEmpty();
  }

  @Test
  void nodesAreListedWithStateCapacityLoadAndHeartbeat() {
    http.put("/v1/rooms/listed/placement", "{\"expectedParticipants\":2}");
    JsonNode nodes = http.get("/v1/nodes").json();
    assertThat(nodes).hasSize(3);
    JsonNode first = nodes.get(0);
    for (String field : List.of("id", "url", "state", "capacity", "load", "endpoints", "kmsEndpoints", "reserved",
        "participants", "rooms", "cpu", "score", "lastHeartbeat", "failedPolls")) {
      assertThat(first.has(field)).as(field).isTrue();
    }
    assertThat(first.path("capacity").asInt()).isEqualTo(400);
    int reserved = 0;
    for (JsonNode n : nodes) {
      reserved += n.path("reserved").asInt();
    }
    assertThat(reserved).isEqualTo(4);
  }

  @Test
  void openApiDescribesTheApi() {
    JsonNode docs = http.get("/v3/api-docs").json();
    assertThat(docs.path("paths").has("/v1/rooms/{roomId}/placement")).isTrue();
    assertThat(docs.path("paths").has("/v1/nodes/{nodeId}/drain")).isTrue();
  }

  @Test
  void metricsAreExported() {
    http.put("/v1/rooms/metered/placement", null);
    String prometheus = new Http(managementPort).get("/actuator/prometheus").raw().body();
    assertThat(prometheus).contains("switchboard_placement_decisions_total{")
        .contains("outcome=\"placed\"")
        .contains("switchboard_placement_decision_latency_seconds_bucket")
        .contains("switchboard_placement_nodes{")
        .contains("switchboard_placement_node_score{");
  }

  private JsonNode node(String id) {
    for (JsonNode n : http.get("/v1/nodes").json()) {
      if (n.path("id").asText().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no node " + id);
  }

  /** Every placement key, without the health fields the monitor keeps refreshing. */
  private Map<String, String> snapshot() {
    Map<String, String> state = new HashMap<>();
    for (String key : redis.keys(PlacementKeys.PREFIX + "*")) {
      if (key.contains(":monitor:")) {
        continue;
      }
      String type = redis.type(key).code();
      state.put(key, switch (type) {
        case "hash" -> {
          java.util.TreeMap<Object, Object> fields = new java.util.TreeMap<>(redis.opsForHash().entries(key));
          if (key.equals(PlacementKeys.candidates())) {
            // "state heartbeat capacity used cpu": the heartbeat moves with every poll
            fields.replaceAll((node, entry) -> String.valueOf(entry).replaceFirst(" \\d+ ", " _ "));
          } else if (key.contains(":node:")) {
            fields.keySet().retainAll(List.of("endpoints", "reserved", "participants", "rooms", "state", "capacity"));
          }
          yield fields.toString();
        }
        case "set" -> new java.util.TreeSet<>(redis.opsForSet().members(key)).toString();
        case "zset" -> String.valueOf(redis.opsForZSet().rangeWithScores(key, 0, -1).stream()
            .map(t -> t.getValue() + "=" + t.getScore()).toList());
        default -> type;
      });
    }
    return state;
  }
}
