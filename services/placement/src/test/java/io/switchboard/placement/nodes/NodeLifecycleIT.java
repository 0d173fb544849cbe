package io.switchboard.placement.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.kms.emulator.KmsEmulator;
import io.switchboard.placement.api.Http;
import io.switchboard.placement.contract.LoadReport;
import io.switchboard.placement.contract.NodeAnnouncement;
import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kurento.client.KurentoClient;
import org.kurento.client.MediaPipeline;
import org.kurento.client.WebRtcEndpoint;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Nodes come and go under a running placement service: KMS emulators die, hang, get busy and
 * drain; placement notices, announces the rooms that must move, and keeps its counters true.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class NodeLifecycleIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(3);

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.url", REDIS::url);
    registry.add("switchboard.service-token", () -> io.switchboard.testing.TestCredentials.SERVICE_TOKEN);
    registry.add("switchboard.placement.nodes", KMS::urlList);
    registry.add("switchboard.placement.poll-interval", () -> "200ms");
    registry.add("switchboard.placement.stale-after", () -> "3s");
    registry.add("switchboard.placement.cpu-sample", () -> "10ms");
    registry.add("switchboard.placement.request-timeout", () -> "700ms");
    registry.add("switchboard.placement.failures-before-down", () -> "2");
  }

  @AfterAll
  static void stop() {
    KMS.close();
    REDIS.close();
  }

  @LocalServerPort
  int port;

  @Autowired
  StringRedisTemplate redis;

  Http http;
  final List<KurentoClient> clients = new ArrayList<>();

  @BeforeEach
  void awaitServingNodes() {
    http = new Http(port);
    await().atMost(Duration.ofSeconds(15)).until(() -> servingWithHeartbeat() == KMS.nodes().stream()
        .filter(KmsEmulator::running).count());
  }

  @AfterEach
  void cleanUp() {
    clients.forEach(KurentoClient::destroy);
    KMS.nodes().forEach(k -> {
      k.faults().clear();
      k.server().overrideCpu(null);
    });
    for (JsonNode n : http.get("/v1/nodes").json()) {
      http.post("/v1/nodes/" + n.path("id").asText() + "/undrain", null);
    }
    for (String room : redis.keys(PlacementKeys.PREFIX + "room:*")) {
      http.delete("/v1/rooms/" + room.substring(room.lastIndexOf(':') + 1) + "/placement");
    }
  }

  private long servingWithHeartbeat() {
    long count = 0;
    for (JsonNode n : http.get("/v1/nodes").json()) {
      if (n.path("state").asText().equals("SERVING") && !n.path("lastHeartbeat").isNull()) {
        count++;
      }
    }
    return count;
  }

  private static String nodeIdOf(KmsEmulator kms) {
    return "127-0-0-1-" + kms.port();
  }

  private JsonNode node(String id) {
    for (JsonNode n : http.get("/v1/nodes").json()) {
      if (n.path("id").asText().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no node " + id);
  }

  private String place(String room, int participants) {
    Http.Response r = http.put("/v1/rooms/" + room + "/placement", "{\"expectedParticipants\":" + participants + "}");
    assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
    return r.json().path("nodeId").asText();
  }

  private List<NodeAnnouncement> announcements() {
    List<NodeAnnouncement> all = new ArrayList<>();
    for (MapRecord<String, Object, Object> entry : redis.opsForStream().read(StreamOffset.fromStart(PlacementKeys.announcements()))) {
      @SuppressWarnings({"unchecked", "rawtypes"})
      Map<String, String> fields = (Map) entry.getValue();
      all.add(NodeAnnouncement.fromFields(fields));
    }
    return all;
  }

  @Test
  void aBusyNodeIsAvoidedAndItsKmsCountsAreSeen() {
    KmsEmulator busy = KMS.node(0);
    busy.server().overrideCpu(4 * 100 * 0.95); // 95 % of its 4 cores
    KurentoClient client = KurentoClient.create(KMS.node(1).url());
    clients.add(client);
    MediaPipeline pipeline = client.createMediaPipeline();
    for (int i = 0; i < 3; i++) {
      new WebRtcEndpoint.Builder(pipeline).build();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> node(nodeIdOf(KMS.node(1))).path("kmsEndpoints").asInt() == 3
        && node(nodeIdOf(busy)).path("cpu").asDouble() > 0.9);
    assertThat(node(nodeIdOf(KMS.node(1))).path("kmsPipelines").asInt()).isEqualTo(1);

    for (int i = 0; i < 6; i++) {
      assertThat(place("busy-" + i, 1)).isNotEqualTo(nodeIdOf(busy));
    }
    pipeline.release();
    await().atMost(Duration.ofSeconds(5)).until(() -> node(nodeIdOf(KMS.node(1))).path("kmsEndpoints").asInt() == 0);
  }

  @Test
  void countersThatDriftFromKmsAreReconciled() {
    String room = "drifting";
    String nodeId = place(room, 2);
    // A signaling pod reports 50 endpoints that KMS never had (it died before releasing them, say).
    String answer = redis.execute(RedisScript.of(LoadReport.SCRIPT, String.class), LoadReport.keys(room),
        LoadReport.args(room, nodeId, 50, 2).toArray(String[]::new));
    assertThat(answer).isEqualTo("ok");
    // Read straight from the store: the monitor may reconcile it within two polls (400 ms).
    assertThat(redis.opsForHash().get(PlacementKeys.node(nodeId), "endpoints"))
        .isIn("50", "0");

    await().atMost(Duration.ofSeconds(5)).until(() -> node(nodeId).path("endpoints").asInt() == 0);
  }

  @Test
  void drainStopsNewRoomsAndItsDeadlineAnnouncesTheRest() {
    KmsEmulator drained = KMS.node(2);
    String drainedId = nodeIdOf(drained);
    List<String> onDrained = new ArrayList<>();
    for (int i = 0; onDrained.size() < 2 && i < 30; i++) {
      String room = "before-drain-" + i;
      if (place(room, 1).equals(drainedId)) {
        onDrained.add(room);
      }
    }
    Http.Response drain = http.post("/v1/nodes/" + drainedId + "/drain", null);
    assertThat(drain.status()).isEqualTo(200);
    assertThat(drain.json().path("state").asText()).isEqualTo("DRAINING");

    for (int i = 0; i < 10; i++) {
      assertThat(place("while-draining-" + i, 1)).isNotEqualTo(drainedId);
    }
    // Existing rooms stay where they are.
    assertThat(http.get("/v1/rooms/" + onDrained.get(0) + "/placement").json().path("nodeId").asText()).isEqualTo(drainedId);

    Http.Response deadline = http.post("/v1/nodes/" + drainedId + "/drain", "{\"deadlineSeconds\":1}");
    assertThat(deadline.json().path("drainDeadline").asText()).isNotEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> announcements().stream()
        .anyMatch(a -> a.type() == NodeAnnouncement.Type.NODE_DRAINED && a.nodeId().equals(drainedId)));
    NodeAnnouncement announced = announcements().stream()
        .filter(a -> a.type() == NodeAnnouncement.Type.NODE_DRAINED && a.nodeId().equals(drainedId)).findFirst().orElseThrow();
    assertThat(announced.rooms()).containsAll(onDrained);
    assertThat(http.get("/v1/rooms/" + onDrained.get(0) + "/placement").status()).isEqualTo(404);
    assertThat(place(onDrained.get(0), 1)).isNotEqualTo(drainedId);
    assertThat(node(drainedId).path("state").asText()).isEqualTo("DRAINING");

    assertThat(http.post("/v1/nodes/" + drainedId + "/undrain", null).json().path("state").asText()).isEqualTo("SERVING");
  }

  @Test
  void aHungNodeGoesDownWithoutDelayingTheOthers() {
    KmsEmulator hung = KMS.node(1);
    String hungId = nodeIdOf(hung);
    JsonNode before = node(hungId);
    hung.faults().hang(true);

    await().atMost(Duration.ofSeconds(10)).until(() -> node(hungId).path("state").asText().equals("DOWN"));
    JsonNode down = node(hungId);
    // It never looked idle: the figures of its last good poll stayed.
    assertThat(down.path("cpu").asDouble()).isEqualTo(before.path("cpu").asDouble());
    assertThat(servingWithHeartbeat()).isEqualTo(2);
    assertThat(place("while-hung", 1)).isNotEqualTo(hungId);

    hung.faults().clear();
    await().atMost(Duration.ofSeconds(10)).until(() -> node(hungId).path("state").asText().equals("SERVING"));
  }

  /** Last, because it kills an emulator for good. */
  @Test
  @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
  void aDeadNodeIsDetectedAndItsRoomsAreAnnounced() {
    KmsEmulator victim = KMS.node(0);
    String victimId = nodeIdOf(victim);
    List<String> rooms = new ArrayList<>();
    for (int i = 0; rooms.size() < 3 && i < 30; i++) {
      String room = "doomed-" + i;
      if (place(room, 1).equals(victimId)) {
        rooms.add(room);
      }
    }
    assertThat(rooms).hasSize(3);

    victim.kill();

    await().atMost(Duration.ofSeconds(10)).until(() -> node(victimId).path("state").asText().equals("DOWN"));
    NodeAnnouncement down = announcements().stream()
        .filter(a -> a.type() == NodeAnnouncement.Type.NODE_DOWN && a.nodeId().equals(victimId)).findFirst().orElseThrow();
    assertThat(down.rooms()).containsAll(rooms);
    assertThat(down.reason()).contains("health checks");
    for (String room : rooms) {
      assertThat(http.get("/v1/rooms/" + room + "/placement").status()).isEqualTo(404);
      assertThat(place(room, 1)).isNotEqualTo(victimId);
    }
    assertThat(node(victimId).path("load").asInt()).isZero();
  }
}
