package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.switchboard.launchers.KafkaBrokerProcess;
import io.switchboard.presence.PresenceContract;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import io.switchboard.launchers.KmsEmulatorProcess;
import io.switchboard.launchers.LoopbackPorts;
import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.launchers.ServiceProcess;
import io.switchboard.testing.TestCredentials;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Switchboard under faults, every service a process of its own — the gateway, two signaling pods,
 * placement and state, on a real Redis and a real Kafka broker, over three KMS emulators — while
 * calls run through the gateway: a signaling pod is SIGKILLed (its participants resume on the
 * other), Redis stops and comes back, the state service restarts, the Kafka broker stops and comes
 * back while people join and leave, a pod is stopped as a rolling update stops it (SIGTERM: its
 * participants move, new joins go to the other pod and none fails), a KMS node dies (its room is
 * rebuilt on another). After each fault, and after everyone left: no participant lost, no ghost
 * member, no pipeline without a room, every placement a live room's, and the state service's view
 * the truth.
 */
class ChaosIT {

  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final Duration SETTLE = Duration.ofSeconds(45);

  final Deque<AutoCloseable> running = new ArrayDeque<>();
  RedisServerProcess redis;
  KafkaBrokerProcess kafka;
  final List<KmsEmulatorProcess> kms = new ArrayList<>();
  ServiceProcess placement;
  ServiceProcess state;
  final int statePort = LoopbackPorts.free();
  final int stateManagement = LoopbackPorts.free();
  final ServiceProcess[] pods = new ServiceProcess[2];
  final int[] podPorts = {LoopbackPorts.free(), LoopbackPorts.free()};
  ServiceProcess gateway;
  RedisClient redisClient;
  StatefulRedisConnection<String, String> store;

  /** Who is in which room now, as the test made it: the truth every view must come back to. */
  final Map<String, Set<String>> truth = new TreeMap<>();
  final Map<String, Participant> participants = new LinkedHashMap<>();

  record Participant(String name, String room, GroupCallClient socket, String token) {}

  @AfterEach
  void stopAll() {
    participants.values().forEach(p -> p.socket().close());
    if (store != null) {
      store.close();
      redisClient.shutdown();
    }
    while (!running.isEmpty()) {
      try {
        running.pop().close();
      } catch (Exception e) {
        System.err.println("ChaosIT: stopping: " + e);
      }
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    running.push(resource);
    return resource;
  }

  private void startEverything() {
    // In stages, what each stage needs started before it; each stage's processes side by side.
    List<AutoCloseable> backends = together(List.of(RedisServerProcess::start,
        () -> KafkaBrokerProcess.start("switchboard.presence.v1", "switchboard.presence.v1.dlt"),
        KmsEmulatorProcess::start, KmsEmulatorProcess::start, KmsEmulatorProcess::start));
    redis = (RedisServerProcess) backends.get(0);
    kafka = (KafkaBrokerProcess) backends.get(1);
    for (int i = 0; i < 3; i++) {
      kms.add((KmsEmulatorProcess) backends.get(2 + i));
    }
    redisClient = RedisClient.create(redis.url());
    store = redisClient.connect();
    List<AutoCloseable> services = together(List.of(() -> ServiceProcess.start("placement",
        "--spring.data.redis.url=" + redis.url(),
        "--switchboard.placement.nodes=" + kms.stream().map(KmsEmulatorProcess::url).collect(Collectors.joining(",")),
        "--switchboard.placement.poll-interval=250ms", "--switchboard.placement.request-timeout=1s",
        "--switchboard.placement.failures-before-down=2", TestCredentials.SERVICE_TOKEN_SETTING), this::startState));
    placement = (ServiceProcess) services.get(0);
    state = (ServiceProcess) services.get(1);
    List<AutoCloseable> started = together(List.of(() -> startPod(0), () -> startPod(1)));
    for (int i = 0; i < pods.length; i++) {
      pods[i] = (ServiceProcess) started.get(i);
    }
    gateway = track(ServiceProcess.startWithManagementPort("gateway", LoopbackPorts.free(), LoopbackPorts.free(), null,
        "--spring.data.redis.url=" + redis.url(),
        "--spring.cloud.discovery.client.simple.instances.signaling[0].uri=http://127.0.0.1:" + podPorts[0],
        "--spring.cloud.discovery.client.simple.instances.signaling[1].uri=http://127.0.0.1:" + podPorts[1],
        "--spring.cloud.loadbalancer.health-check.interval=1s",
        "--spring.cloud.loadbalancer.health-check.refetch-instances-interval=1s",
        "--switchboard.gateway.placement-url=" + placement.baseUrl(),
        "--switchboard.gateway.state-url=http://127.0.0.1:" + statePort, TestCredentials.SERVICE_TOKEN_SETTING));
  }

  /**
   * Starts these side by side and returns them in the same order; every one that started is
   * tracked (stopped after the test) even when another failed, whose failure is then thrown.
   */
  private List<AutoCloseable> together(List<java.util.concurrent.Callable<? extends AutoCloseable>> starts) {
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(starts.size());
    try {
      List<java.util.concurrent.Future<? extends AutoCloseable>> starting = new ArrayList<>();
      starts.forEach(start -> starting.add(threads.submit(start)));
      List<AutoCloseable> started = new ArrayList<>();
      Throwable failed = null;
      for (java.util.concurrent.Future<? extends AutoCloseable> one : starting) {
        try {
          started.add(track(one.get()));
        } catch (java.util.concurrent.ExecutionException e) {
          failed = Failures.add(failed, e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while starting", e);
        }
      }
      Failures.rethrow(failed);
      return started;
    } finally {
      threads.shutdown();
    }
  }

  private ServiceProcess startState() {
    return ServiceProcess.startWithManagementPort("state", statePort, stateManagement, null,
        "--spring.data.redis.url=" + redis.url(), "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
        TestCredentials.SERVICE_TOKEN_SETTING);
  }

  /** Pod i on its own port, its actuator there too (the gateway health-checks each pod's own port). */
  private ServiceProcess startPod(int i) {
    return ServiceProcess.start("signaling", podPorts[i], null, "--spring.data.redis.url=" + redis.url(),
        "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
        "--switchboard.placement.url=" + placement.baseUrl(), "--switchboard.signaling.pod-id=chaos-" + i,
        "--switchboard.signaling.require-identity=false", "--switchboard.signaling.heartbeat-interval=500ms",
        "--switchboard.signaling.heartbeat-timeout=3s", "--switchboard.signaling.resume-grace=30s",
        "--switchboard.signaling.kms-request-timeout=1500ms", "--switchboard.signaling.sweep-interval=30s",
        TestCredentials.SERVICE_TOKEN_SETTING);
  }

  private String groupcall() {
    return "ws://127.0.0.1:" + gateway.port() + "/groupcall";
  }

  private void join(String name, String room) {
    GroupCallClient socket = new GroupCallClient(groupcall(), name);
    socket.join(room);
    socket.publish();
    participants.put(name, new Participant(name, room, socket, socket.token()));
    truth.computeIfAbsent(room, r -> new HashSet<>()).add(name);
  }

  /**
   * Joins as a browser client does: a {@code reconnect} (a stopping pod), or the socket closing
   * before an answer, means a new socket and the join again; an {@code error} fails the test. Returns how many reconnects it took.
   */
  private int joinThroughReconnects(String name, String room) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (int reconnects = 0; System.nanoTime() < deadline; reconnects++) {
      GroupCallClient socket = new GroupCallClient(groupcall(), name);
      JsonNode answer = socket.tryJoin(room);
      switch (answer.path("id").asText()) {
        case "existingParticipants" -> {
          socket.publish();
          participants.put(name, new Participant(name, room, socket, socket.token()));
          truth.computeIfAbsent(room, r -> new HashSet<>()).add(name);
          return reconnects;
        }
        case "reconnect", "closed" -> socket.close();
        default -> throw new AssertionError(name + "'s join failed while a pod drained: " + answer);
      }
    }
    throw new AssertionError(name + " could not join within 20 s while a pod drained");
  }

  private void leaveAll() {
    participants.values().forEach(p -> p.socket().leave());
    truth.clear();
  }

  /**
   * Every participant whose socket closed (its pod died) resumes through the gateway, on a pod
   * alive; as a browser does, it tries again on a new socket while the answer is {@code error}
   * (the gateway may still route one to the dead pod until its health check says so).
   */
  private void resumeTheDropped() {
    for (Participant p : List.copyOf(participants.values())) {
      if (p.socket().closed.isDone()) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String token = null;
        GroupCallClient again = null;
        while (token == null && System.nanoTime() < deadline) {
          if (again != null) {
            again.close();
            sleep(500);
          }
          again = new GroupCallClient(groupcall(), p.name());
          token = again.resume(p.token());
        }
        assertThat(token).as(p.name() + " resumed").isNotNull();
        participants.put(p.name(), new Participant(p.name(), p.room(), again, token));
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void callsGoOnThroughFaultsAndNothingIsLeftBehind() throws Exception {
    startEverything();
    join("alice", "chaos-a");
    join("bob", "chaos-a");
    join("carol", "chaos-b");
    join("dave", "chaos-b");
    assertNothingLost("the calls as they started");

    // A pod's queued events die with it: zoe was let in and out of chaos-a by a pod that died
    // before it sent her leave. The view hears of her join alone — until the next sweep's snapshot.
    try (KafkaProducer<String, CloudEvent> events = new KafkaProducer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "key.serializer", StringSerializer.class, "value.serializer",
        PresenceContract.serializer(), "cloudevents.serializer.encoding", "BINARY"))) {
      events.partitionsFor(PresenceContract.TOPIC);
      long zoeJoined = 0;
      for (int attempt = 1; zoeJoined == 0; attempt++) {
        // A sweep's snapshot numbered after her join and delivered before it makes the join stale
        // (rightly: the view is already the truth); then she is let in again, numbered anew.
        assertThat(attempt).as("zoe's join overtaken by a snapshot every time").isLessThanOrEqualTo(3);
        long sequence = store.sync().incr("sb:seq:{room:chaos-a}");
        events.send(PresenceContract.record(new PresenceEvent(UUID.randomUUID().toString(),
            PresenceType.PARTICIPANT_JOINED, "chaos-a", sequence, Instant.now(), "chaos-gone", "zoe", "zoe", null, true,
            true, null, null))).get(10, TimeUnit.SECONDS);
        String outcome = await().atMost(SETTLE).until(() -> viewOutcome("chaos-a", "zoe", sequence), o -> o != null);
        System.out.println("ChaosIT: zoe's join #" + sequence + " " + outcome);
        if (outcome.equals("applied")) {
          zoeJoined = sequence;
        }
      }
      assertThat(viewChanges()).as("the state service's changes").contains(
          "PARTICIPANT_JOINED chaos-a zoe " + zoeJoined);
    }
    assertNothingLost("a pod died before it sent a leave");

    // A signaling pod dies: whoever it served resumes on the other, with the endpoints they had.
    List<Participant> servedByPod0 = servedBy("chaos-0");
    System.out.println("ChaosIT: SIGKILL chaos-0, serving " + servedByPod0.size() + " participant(s)");
    pods[0].kill();
    pods[0].awaitExit(Duration.ofSeconds(10));
    // The gateway closes the sockets it proxied to the dead pod.
    await().atMost(Duration.ofSeconds(15)).until(() -> servedByPod0.stream().allMatch(p -> p.socket().closed.isDone()));
    resumeTheDropped();
    pods[0] = track(startPod(0));
    assertNothingLost("a signaling pod SIGKILLed");

    // Redis goes away and comes back (with its data, as a managed Redis does): calls stand, and
    // the pods serve again (a new join).
    store.sync().save();
    redis.stop();
    Thread.sleep(3_000);
    redis.restart();
    awaitReady(pods[0]);
    awaitReady(pods[1]);
    join("erin", "chaos-a");
    assertNothingLost("Redis stopped and restarted");

    // The state service restarts: its view converges on the truth.
    state.terminate();
    state.awaitExit(Duration.ofSeconds(30));
    state = track(startState());
    assertNothingLost("the state service restarted");

    // The Kafka broker stops while people come and go, and returns: nothing they did is lost.
    kafka.stop();
    join("frank", "chaos-b");
    participants.remove("dave").socket().leave();
    truth.get("chaos-b").remove("dave");
    Thread.sleep(2_000);
    kafka.restart();
    assertNothingLost("the Kafka broker stopped and restarted");

    // A rolling update stops a pod (SIGTERM): it turns unready and tells its sockets to reconnect;
    // they resume on the other pod, and a join meanwhile goes there and does not fail.
    List<Participant> servedByPod1 = servedBy("chaos-1");
    ServiceProcess draining = pods[1];
    System.out.println("ChaosIT: SIGTERM chaos-1, serving " + servedByPod1.size() + " participant(s)");
    draining.terminate();
    // Joins race the drain: every one gets in — on the other pod, at most after the stopping one
    // told it to reconnect — and none fails.
    int toldToReconnect = 0;
    for (int i = 0; i < 6; i++) {
      toldToReconnect += joinThroughReconnects("racer-" + i, "chaos-race");
      sleep(300);
    }
    System.out.println("ChaosIT: " + toldToReconnect + " racing join(s) told to reconnect by the stopping pod");
    await().atMost(Duration.ofSeconds(15)).until(() -> servedByPod1.stream().allMatch(p -> p.socket().closed.isDone()));
    resumeTheDropped();
    join("gina", "chaos-b");
    draining.awaitExit(Duration.ofSeconds(30));
    pods[1] = track(startPod(1));
    assertNothingLost("a signaling pod stopped as a rolling update does");

    // A KMS node dies: the rooms on it are rebuilt on another, with everyone in them.
    String lost = redisHash(placementKey("room:chaos-a"), "nodeId");
    KmsEmulatorProcess node = kms.stream().filter(k -> nodeIdOf(k).equals(lost)).findFirst().orElseThrow();
    node.kill();
    kms.remove(node);
    await().atMost(SETTLE).until(() -> !lost.equals(redisHash(placementKey("room:chaos-a"), "nodeId")));
    assertNothingLost("a KMS node killed");

    leaveAll();
    assertNothingLost("everyone left");
  }

  /** The participants whose member record names this pod. */
  private List<Participant> servedBy(String pod) {
    return participants.values().stream()
        .filter(p -> store.sync().hget("sb:{room:" + p.room() + "}:members", p.name()).contains("\"pod\":\"" + pod + "\""))
        .toList();
  }

  private void awaitReady(ServiceProcess pod) {
    await().atMost(SETTLE).until(() -> status(HttpRequest.newBuilder(
        URI.create(pod.managementUrl() + "/actuator/health/readiness")).build()) == 200);
  }

  /** The invariants, eventually: the store, KMS, placement and the state service all say the truth. */
  private void assertNothingLost(String after) {
    await(after).atMost(SETTLE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      Map<String, Set<String>> members = new TreeMap<>();
      for (String key : store.sync().keys("sb:{room:*}:members")) {
        String room = key.substring("sb:{room:".length(), key.length() - "}:members".length());
        members.put(room, new HashSet<>(store.sync().hkeys(key)));
      }
      assertThat(members).as("members in the store (no ghost, nobody lost)").isEqualTo(truth);
      Set<String> rooms = new HashSet<>();
      for (String key : store.sync().keys("sb:{room:*}")) {
        if (key.endsWith("}")) {
          rooms.add(key.substring("sb:{room:".length(), key.length() - 1));
        }
      }
      assertThat(rooms).as("open rooms").isEqualTo(truth.keySet());
      Set<String> placed = new HashSet<>();
      for (String key : store.sync().keys(placementKey("room:*"))) {
        placed.add(key.substring(placementKey("room:").length()));
      }
      assertThat(placed).as("placements: each a live room's").isEqualTo(truth.keySet());
      int pipelines = 0;
      for (KmsEmulatorProcess k : kms) {
        pipelines += emulatorStatus(k).path("pipelines").asInt();
      }
      assertThat(pipelines).as("pipelines on the KMS nodes alive: one per open room").isEqualTo(truth.size());
      Set<String> viewed = new HashSet<>();
      GroupCallClient.JSON.readTree(stateGet("/v1/rooms").body()).forEach(r -> viewed.add(r.path("roomId").asText()));
      assertThat(viewed).as("the rooms the state service shows").isEqualTo(truth.keySet());
      for (Map.Entry<String, Set<String>> room : truth.entrySet()) {
        assertThat(viewOf(room.getKey())).as("the state service's view of " + room.getKey()).isEqualTo(room.getValue());
      }
    });
    System.out.println("ChaosIT: nothing lost after " + after);
  }

  /**
   * What the state service's view made of a join it was sent (read from its own keys): "applied",
   * "overtaken" when a snapshot numbered after it came first (it is, or will be, stale), or null
   * while it has not come yet.
   */
  private String viewOutcome(String room, String participant, long sequence) {
    Map<String, String> sequences = store.sync().hgetall("st:{view}:room:" + room + ":seqs");
    if (Long.parseLong(sequences.getOrDefault("@" + participant, "0")) >= sequence) {
      return "applied";
    }
    return Long.parseLong(sequences.getOrDefault("#snapshot", "0")) >= sequence ? "overtaken" : null;
  }

  /** Every change the state service's view recorded (what its SSE stream serves), as "type room participant sequence". */
  private List<String> viewChanges() {
    return store.sync().xrange("st:{view}:changes", Range.create("-", "+")).stream()
        .map(m -> m.getBody().get("type") + " " + m.getBody().get("roomId") + " " + m.getBody().get("participant") + " "
            + m.getBody().get("sequence"))
        .toList();
  }

  private HttpResponse<String> stateGet(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statePort + path))
        .header("Authorization", TestCredentials.SERVICE_AUTHORIZATION).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Who the state service shows in a room (an AssertionError when it does not know the room). */
  private Set<String> viewOf(String room) throws Exception {
    HttpResponse<String> view = stateGet("/v1/rooms/" + room);
    assertThat(view.statusCode()).as("the state service knows room " + room).isEqualTo(200);
    Set<String> present = new HashSet<>();
    GroupCallClient.JSON.readTree(view.body()).path("participants").forEach(p -> present.add(p.path("name").asText()));
    return present;
  }

  private static String placementKey(String rest) {
    return "sb:{placement}:" + rest;
  }

  private String redisHash(String key, String field) {
    return store.sync().hget(key, field);
  }

  /** The id placement knows a KMS emulator by (its node hash's url). */
  private String nodeIdOf(KmsEmulatorProcess node) {
    for (String id : store.sync().smembers(placementKey("nodes"))) {
      if (node.url().equals(store.sync().hget(placementKey("node:" + id), "url"))) {
        return id;
      }
    }
    throw new AssertionError("placement does not know " + node.url());
  }

  private static JsonNode emulatorStatus(KmsEmulatorProcess node) throws Exception {
    return GroupCallClient.JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(node.adminUrl() + "/status"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  private static int status(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
