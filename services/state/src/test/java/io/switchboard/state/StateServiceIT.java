package io.switchboard.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.switchboard.presence.PresenceContract;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import io.switchboard.launchers.KafkaBroker;
import io.switchboard.launchers.RedisServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The state service with a real Kafka broker (KRaft) and a real Redis. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StateServiceIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KafkaBroker KAFKA = KafkaBroker.start(PresenceContract.TOPIC, PresenceContract.DEAD_LETTER_TOPIC);
  static final KafkaProducer<String, CloudEvent> EVENTS = new KafkaProducer<>(Map.of(
      "bootstrap.servers", KAFKA.bootstrapServers(), "key.serializer", StringSerializer.class,
      "value.serializer", PresenceContract.serializer(), "cloudevents.serializer.encoding", "BINARY"));
  static final ObjectMapper JSON = new ObjectMapper();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.url", REDIS::url);
    registry.add("switchboard.service-token", () -> io.switchboard.testing.TestCredentials.SERVICE_TOKEN);
    registry.add("switchboard.state.stream-max-subscribers-per-address", () -> "3");
    registry.add("spring.kafka.bootstrap-servers", KAFKA::bootstrapServers);
    // Two consumers, one partition each: a rebuild must reach both.
    registry.add("switchboard.state.concurrency", () -> "2");
  }

  @AfterAll
  static void stop() {
    EVENTS.close();
    KAFKA.close();
    REDIS.close();
  }

  @LocalServerPort
  int port;

  @org.springframework.beans.factory.annotation.Value("${local.management.port}")
  int managementPort;

  private static PresenceEvent event(PresenceType type, String room, long seq, String participant, Boolean audio,
      Boolean video) {
    return new PresenceEvent(UUID.randomUUID().toString(), type, room, seq, Instant.now(), "signaling-test",
        participant, participant == null ? null : participant + "@example.com", "kms-0", audio, video, null, null);
  }

  private static void send(PresenceEvent e) {
    EVENTS.send(PresenceContract.record(e));
    EVENTS.flush();
  }

  private HttpResponse<String> getWith(String path, String header, String value) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .header("Authorization", io.switchboard.testing.TestCredentials.SERVICE_AUTHORIZATION).header(header, value).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> get(String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + (path.startsWith("/actuator") ? managementPort : port) + path))
          .header("Authorization", io.switchboard.testing.TestCredentials.SERVICE_AUTHORIZATION).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private JsonNode json(String path) {
    try {
      return JSON.readTree(get(path).body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theActuatorIsOnlyOnTheManagementPort() throws Exception {
    assertThat(managementPort).isNotEqualTo(port);
    for (String path : List.of("/actuator/health", "/actuator/prometheus", "/actuator")) {
      HttpResponse<String> onPublicPort = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(onPublicPort.statusCode()).as("public port " + path).isEqualTo(404);
      assertThat(get(path).statusCode()).as("management port " + path).isEqualTo(200);
    }
  }

  @Test
  void theViewFollowsJoinsMediaChangesAndLeaves() {
    PresenceEvent opened = event(PresenceType.ROOM_OPENED, "standup", 1, null, null, null);
    send(new PresenceEvent(opened.id(), opened.type(), opened.roomId(), 1, opened.time(), opened.source(), null, null,
        "kms-0", null, null, null, "Stand-up"));
    send(event(PresenceType.PARTICIPANT_JOINED, "standup", 2, "alice", true, true));
    send(event(PresenceType.PARTICIPANT_JOINED, "standup", 3, "bob", true, true));
    send(event(PresenceType.PARTICIPANT_MEDIA_CHANGED, "standup", 4, "alice", false, true));
    send(event(PresenceType.PARTICIPANT_DISCONNECTED, "standup", 5, "bob", null, null));

    await().atMost(Duration.ofSeconds(20)).until(() -> json("/v1/rooms/standup").path("sequence").asLong() == 5);
    JsonNode room = json("/v1/rooms/standup");
    assertThat(room.path("kmsNode").asText()).isEqualTo("kms-0");
    assertThat(room.path("name").asText()).isEqualTo("Stand-up");
    assertThat(room.path("participants")).hasSize(2);
    JsonNode alice = room.path("participants").get(0);
    assertThat(alice.path("name").asText()).isEqualTo("alice");
    assertThat(alice.path("identity").asText()).isEqualTo("alice@example.com");
    assertThat(alice.path("audio").asBoolean()).isFalse();
    assertThat(alice.path("video").asBoolean()).isTrue();
    assertThat(room.path("participants").get(1).path("state").asText()).isEqualTo("disconnected");
    assertThat(json("/v1/rooms").toString()).contains("\"roomId\":\"standup\"").contains("\"participants\":2");
    JsonNode bob = json("/v1/users/bob@example.com/presence");
    assertThat(bob.path("rooms").get(0).path("roomId").asText()).isEqualTo("standup");
    assertThat(bob.path("rooms").get(0).path("state").asText()).isEqualTo("disconnected");

    send(event(PresenceType.PARTICIPANT_RESUMED, "standup", 6, "bob", null, null));
    send(event(PresenceType.PARTICIPANT_LEFT, "standup", 7, "alice", null, null));
    await().atMost(Duration.ofSeconds(20)).until(() -> json("/v1/rooms/standup").path("sequence").asLong() == 7);
    assertThat(json("/v1/rooms/standup").path("participants")).hasSize(1);
    assertThat(json("/v1/users/alice@example.com/presence").path("rooms")).isEmpty();
    assertThat(json("/v1/users/alice@example.com/presence").path("lastSeen").asLong()).isPositive();
    assertThat(json("/v1/users/bob@example.com/presence").path("rooms").get(0).path("state").asText())
        .isEqualTo("connected");

    send(event(PresenceType.PARTICIPANT_LEFT, "standup", 8, "bob", null, null));
    send(event(PresenceType.ROOM_CLOSED, "standup", 9, null, null, null));
    await().atMost(Duration.ofSeconds(20)).until(() -> get("/v1/rooms/standup").statusCode() == 404);
    assertThat(json("/v1/rooms/standup").path("code").asText()).isEqualTo("unknown-room");
    assertThat(json("/v1/users/bob@example.com/presence").path("rooms")).isEmpty();
  }

  @Test
  void anEventDeliveredTwiceIsAppliedOnceAndAnOlderOneChangesNothing() {
    PresenceEvent joined = event(PresenceType.PARTICIPANT_JOINED, "twice", 1, "carol", true, true);
    send(joined);
    send(joined); // redelivered, e.g. after a producer retry
    send(event(PresenceType.PARTICIPANT_MEDIA_CHANGED, "twice", 3, "carol", false, false));
    // #2 arrives after #3 (two signaling pods): the view does not go back.
    send(event(PresenceType.PARTICIPANT_MEDIA_CHANGED, "twice", 2, "carol", true, true));
    send(event(PresenceType.PARTICIPANT_JOINED, "twice", 4, "dave", true, true));
    await().atMost(Duration.ofSeconds(20)).until(() -> json("/v1/rooms/twice").path("participants").size() == 2);
    JsonNode carol = json("/v1/rooms/twice").path("participants").get(0);
    assertThat(carol.path("audio").asBoolean()).isFalse();
    JsonNode metrics = json("/actuator/metrics/switchboard.state.events?tag=outcome:duplicate");
    assertThat(metrics.path("measurements").get(0).path("value").asDouble()).isGreaterThanOrEqualTo(1.0);
    JsonNode stale = json("/actuator/metrics/switchboard.state.events?tag=outcome:stale");
    assertThat(stale.path("measurements").get(0).path("value").asDouble()).isGreaterThanOrEqualTo(1.0);
    // Consumer lag is measured (the Kafka client's own metric) and end-to-end delay is recorded.
    assertThat(get("/actuator/metrics/kafka.consumer.fetch.manager.records.lag.max").statusCode()).isEqualTo(200);
    assertThat(json("/actuator/metrics/switchboard.state.event.delay").path("measurements").get(0).path("value")
        .asDouble()).isPositive();
  }

  /**
   * Two signaling pods' events for one room may reach the topic in either order: each participant
   * ends as its newest event says, whatever arrived between.
   */
  @Test
  void eventsThatCrossEndAsTheirSequenceSays() {
    send(event(PresenceType.ROOM_OPENED, "crossed", 1, null, null, null));
    send(event(PresenceType.PARTICIPANT_MEDIA_CHANGED, "crossed", 4, "bob", false, false)); // before bob's join
    send(event(PresenceType.PARTICIPANT_JOINED, "crossed", 3, "bob", true, true));
    send(event(PresenceType.PARTICIPANT_LEFT, "crossed", 6, "frank", null, null)); // before frank's join
    send(event(PresenceType.PARTICIPANT_JOINED, "crossed", 5, "frank", true, true));
    send(event(PresenceType.PARTICIPANT_JOINED, "crossed", 2, "alice", true, true)); // last of all
    await().atMost(Duration.ofSeconds(20)).until(() -> json("/v1/rooms/crossed").path("participants").size() == 2);
    JsonNode room = json("/v1/rooms/crossed");
    assertThat(room.path("sequence").asLong()).isEqualTo(6);
    // Bob is in (his mute, #4, came before his join and found nobody to mute); Frank, who left
    // (#6) before his join (#5) arrived, is not brought back.
    assertThat(room.toString()).contains("\"name\":\"bob\"").contains("\"name\":\"alice\"").doesNotContain("frank");
    assertThat(json("/v1/users/frank@example.com/presence").path("rooms")).isEmpty();
    // A room closed (#9) before its last leave (#8) arrived: the late leave changes nothing.
    send(event(PresenceType.PARTICIPANT_LEFT, "crossed", 7, "alice", null, null));
    send(event(PresenceType.ROOM_CLOSED, "crossed", 9, null, null, null));
    send(event(PresenceType.PARTICIPANT_LEFT, "crossed", 8, "bob", null, null));
    send(event(PresenceType.PARTICIPANT_JOINED, "crossed", 8, "zed", true, true)); // older than the close
    await().atMost(Duration.ofSeconds(20)).until(() -> get("/v1/rooms/crossed").statusCode() == 404);
    assertThat(json("/v1/users/bob@example.com/presence").path("rooms").toString()).doesNotContain("crossed");
    assertThat(json("/v1/users/zed@example.com/presence").path("rooms")).isEmpty();
  }

  @Test
  void poisonGoesToTheDeadLetterTopicWithItsReasonAndTheStreamGoesOn() throws Exception {
    CloudEvent unknown = CloudEventBuilder.v1().withId("poison-1").withType("switchboard.room.exploded")
        .withSource(URI.create("/test")).withData("{}".getBytes(StandardCharsets.UTF_8)).build();
    EVENTS.send(new ProducerRecord<>(PresenceContract.TOPIC, "poisoned", unknown));
    EVENTS.flush();
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers(),
        "key.serializer", StringSerializer.class, "value.serializer", ByteArraySerializer.class))) {
      raw.send(new ProducerRecord<>(PresenceContract.TOPIC, "poisoned", "not a cloud event".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    send(event(PresenceType.PARTICIPANT_JOINED, "poisoned", 1, "erin", true, true));
    await().atMost(Duration.ofSeconds(20)).until(() -> get("/v1/rooms/poisoned").statusCode() == 200);

    List<ConsumerRecord<String, byte[]>> dead = deadLettered("poisoned", 2);
    assertThat(dead).hasSize(2);
    assertThat(dead).allSatisfy(r -> assertThat(r.key()).isEqualTo("poisoned"));
    List<String> reasons = dead.stream()
        .map(r -> new String(r.headers().lastHeader("kafka_dlt-exception-message").value(), StandardCharsets.UTF_8))
        .toList();
    assertThat(reasons).anySatisfy(m -> assertThat(m).contains("unknown event type switchboard.room.exploded"));
    assertThat(dead).anySatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
        .isEqualTo("not a cloud event"));
    assertThat(json("/actuator/metrics/switchboard.state.events.dead.lettered").path("measurements").get(0)
        .path("value").asDouble()).isGreaterThanOrEqualTo(2.0);
  }

  @Test
  void anEventTheViewRefusesIsDeadLetteredAfterItsRetriesAndItsPartitionGoesOn() throws Exception {
    double before = json("/actuator/metrics/switchboard.state.events.dead.lettered").path("measurements").get(0)
        .path("value").asDouble();
    // A view key of the wrong type (damage from outside): applying to this room fails, however often.
    try (var redis = io.lettuce.core.RedisClient.create(REDIS.url()); var connection = redis.connect()) {
      connection.sync().set(io.switchboard.state.view.PresenceViewKeys.roomSequences("damaged"), "not a hash");
    }
    // Both on one partition: the second waits behind the first.
    for (PresenceEvent e : List.of(event(PresenceType.PARTICIPANT_JOINED, "damaged", 1, "fay", true, true),
        event(PresenceType.PARTICIPANT_JOINED, "behind-damaged", 1, "gus", true, true))) {
      ProducerRecord<String, CloudEvent> r = PresenceContract.record(e);
      EVENTS.send(new ProducerRecord<>(r.topic(), 0, r.key(), r.value()));
    }
    EVENTS.flush();

    await().atMost(Duration.ofSeconds(30)).until(() -> get("/v1/rooms/behind-damaged").statusCode() == 200);
    assertThat(deadLettered("damaged", 1)).singleElement().satisfies(r ->
        assertThat(new String(r.headers().lastHeader("kafka_dlt-exception-message").value(), StandardCharsets.UTF_8))
            .contains("WRONGTYPE"));
    assertThat(get("/v1/rooms/damaged").statusCode()).isEqualTo(404);
    assertThat(json("/actuator/metrics/switchboard.state.events.dead.lettered").path("measurements").get(0)
        .path("value").asDouble()).isEqualTo(before + 1);
  }

  /** The dead-letter topic's records with this key, read from its start until there are {@code expected} (or 20 s). */
  private static List<ConsumerRecord<String, byte[]>> deadLettered(String key, int expected) {
    List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
        KAFKA.bootstrapServers(), "group.id", "dlt-" + UUID.randomUUID(), "auto.offset.reset", "earliest",
        "key.deserializer", StringDeserializer.class, "value.deserializer", ByteArrayDeserializer.class))) {
      consumer.subscribe(List.of(PresenceContract.DEAD_LETTER_TOPIC));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (dead.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(250)).forEach(r -> {
          if (key.equals(r.key())) {
            dead.add(r);
          }
        });
      }
    }
    return dead;
  }

  /** One SSE connection to /v1/stream, collecting (id, data) of each change. */
  final class SseClient implements AutoCloseable {
    final java.util.concurrent.BlockingQueue<String[]> changes = new java.util.concurrent.LinkedBlockingQueue<>();
    /** Done when the server says the subscription is in place (its first line, a comment). */
    final java.util.concurrent.CompletableFuture<Void> subscribed = new java.util.concurrent.CompletableFuture<>();
    private final java.util.concurrent.CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response;
    /** The open stream of lines, once the response came; closing it closes the connection. */
    private java.util.stream.Stream<String> lines;
    private boolean closed;

    SseClient(String query, String lastEventId) {
      this(query, lastEventId, null);
    }

    /** From {@code client}, as the gateway names it (null: this connection's address). */
    SseClient(String query, String lastEventId, String client) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/stream" + query))
          .header("Authorization", io.switchboard.testing.TestCredentials.SERVICE_AUTHORIZATION);
      if (lastEventId != null) {
        request.header("Last-Event-ID", lastEventId);
      }
      if (client != null) {
        request.header("X-Switchboard-Client", client);
      }
      response = HttpClient.newHttpClient().sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
      response.thenAccept(r -> {
        synchronized (this) {
          if (closed) {
            r.body().close();
            return;
          }
          lines = r.body();
        }
        String[] current = new String[2];
        r.body().forEach(line -> {
          if (line.startsWith(":subscribed")) {
            subscribed.complete(null);
          } else if (line.startsWith("id:")) {
            current[0] = line.substring(3).trim();
          } else if (line.startsWith("data:")) {
            current[1] = line.substring(5).trim();
          } else if (line.isEmpty() && current[1] != null) {
            changes.add(current.clone());
            current[0] = null;
            current[1] = null;
          }
        });
      });
    }

    /** The next change: {id, data}. */
    String[] next() throws InterruptedException {
      String[] change = changes.poll(20, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(change).as("a change within 20 s").isNotNull();
      return change;
    }

    /**
     * Closes the connection (an open one would hold the service's graceful shutdown at the end of
     * the run for its whole timeout).
     */
    @Override
    public void close() {
      java.util.stream.Stream<String> open;
      synchronized (this) {
        closed = true;
        open = lines;
      }
      response.cancel(true);
      if (open != null) {
        open.close();
      }
    }
  }

  @Test
  void sseClientsGetChangesOfTheirRoomAndResumeFromLastEventId() throws Exception {
    try (SseClient all = new SseClient("?room=streamed", null)) {
      assertThat(all.subscribed).succeedsWithin(Duration.ofSeconds(10));
      send(event(PresenceType.PARTICIPANT_JOINED, "streamed", 1, "gina", true, true));
      send(event(PresenceType.PARTICIPANT_JOINED, "elsewhere", 1, "hank", true, true)); // another room
      send(event(PresenceType.PARTICIPANT_MEDIA_CHANGED, "streamed", 2, "gina", false, true));
      String[] first = all.next();
      assertThat(first[1]).contains("\"type\":\"PARTICIPANT_JOINED\"").contains("\"participant\":\"gina\"");
      String[] second = all.next();
      assertThat(second[1]).contains("PARTICIPANT_MEDIA_CHANGED").contains("\"audio\":false").contains("\"sequence\":2");
      assertThat(all.changes.poll(1, java.util.concurrent.TimeUnit.SECONDS)).as("nothing of another room").isNull();

      // A client that saw only the first change comes back: it gets the second, then what follows.
      send(event(PresenceType.PARTICIPANT_LEFT, "streamed", 3, "gina", null, null));
      try (SseClient resumed = new SseClient("?room=streamed", first[0])) {
        assertThat(resumed.next()[0]).isEqualTo(second[0]);
        assertThat(resumed.next()[1]).contains("PARTICIPANT_LEFT");
        send(event(PresenceType.PARTICIPANT_JOINED, "streamed", 4, "ivan", true, true));
        assertThat(resumed.next()[1]).contains("ivan");
        assertThat(resumed.changes.poll(1, java.util.concurrent.TimeUnit.SECONDS)).as("each change once").isNull();
      }
      JsonNode subscribers = json("/actuator/metrics/switchboard.state.sse.subscribers");
      assertThat(subscribers.path("measurements").get(0).path("value").asDouble()).isGreaterThanOrEqualTo(1.0);
    }
    assertThat(get("/v1/stream?room=a%3Ab").statusCode()).isEqualTo(400);
  }

  /**
   * A pod that crashed never sent some of a room's events (bob's leave, carol's join): the room's
   * next snapshot makes them good, older events arriving after it change nothing, and a snapshot
   * that says what the view shows writes nothing to the change stream.
   */
  @Test
  void aSnapshotMakesGoodWhatACrashedPodNeverSent() {
    send(event(PresenceType.PARTICIPANT_JOINED, "mended", 1, "alice", true, true));
    send(event(PresenceType.PARTICIPANT_JOINED, "mended", 2, "bob", true, true));
    send(event(PresenceType.PARTICIPANT_MEDIA_CHANGED, "mended", 5, "alice", false, true));
    await().atMost(Duration.ofSeconds(20)).until(() -> json("/v1/rooms/mended").path("sequence").asLong() == 5);
    // #3 (bob left) and #4 (carol joined, then lost her socket) went down with their pod.
    send(snapshot("mended", 6, member("alice", false, true, true), member("carol", true, false, false)));
    await().atMost(Duration.ofSeconds(20)).until(() -> json("/v1/rooms/mended").path("sequence").asLong() == 6);
    JsonNode room = json("/v1/rooms/mended");
    assertThat(room.path("participants")).extracting(p -> p.path("name").asText()).containsExactly("alice", "carol");
    assertThat(room.path("participants").get(1).path("state").asText()).isEqualTo("disconnected");
    assertThat(room.path("participants").get(1).path("identity").asText()).isEqualTo("carol@example.com");
    assertThat(json("/v1/users/bob@example.com/presence").path("rooms")).isEmpty();
    assertThat(json("/v1/users/carol@example.com/presence").path("rooms").get(0).path("state").asText())
        .isEqualTo("disconnected");

    // The lost events turn up after all: the snapshot already holds them.
    send(event(PresenceType.PARTICIPANT_JOINED, "mended", 3, "bob", true, true));
    send(event(PresenceType.PARTICIPANT_LEFT, "mended", 4, "carol", null, null));
    send(event(PresenceType.PARTICIPANT_MEDIA_CHANGED, "mended", 7, "alice", true, true));
    await().atMost(Duration.ofSeconds(20)).until(() -> json("/v1/rooms/mended").path("sequence").asLong() == 7);
    room = json("/v1/rooms/mended");
    assertThat(room.path("participants")).extracting(p -> p.path("name").asText()).containsExactly("alice", "carol");
    assertThat(room.path("participants").get(0).path("audio").asBoolean()).isTrue();

    List<String> changes = changes("mended");
    assertThat(changes).containsSubsequence("PARTICIPANT_MEDIA_CHANGED alice 5", "PARTICIPANT_JOINED carol 6",
        "PARTICIPANT_DISCONNECTED carol 6", "PARTICIPANT_LEFT bob 6", "PARTICIPANT_MEDIA_CHANGED alice 7");
    send(snapshot("mended", 8, member("alice", true, true, true), member("carol", true, false, false)));
    await().atMost(Duration.ofSeconds(20)).until(() -> json("/v1/rooms/mended").path("sequence").asLong() == 8);
    assertThat(changes("mended")).as("nothing changed").isEqualTo(changes);
  }

  /**
   * A room whose pod stopped before it told anyone it closed: once the service has read everything
   * there is, a room nothing was heard of for the expiry is closed in the view; a live one stays.
   */
  @Test
  void aRoomNothingIsHeardOfIsClosedOnceTheServiceHasReadEverything() {
    Instant longAgo = Instant.now().minus(Duration.ofMinutes(10));
    send(new PresenceEvent(UUID.randomUUID().toString(), PresenceType.PARTICIPANT_JOINED, "forsaken", 1, longAgo,
        "signaling-gone", "kate", "kate@example.com", "kms-0", true, true, null, null));
    send(event(PresenceType.PARTICIPANT_JOINED, "lively", 1, "liam", true, true));
    await().atMost(Duration.ofSeconds(20)).until(() -> get("/v1/rooms/forsaken").statusCode() == 200
        && get("/v1/rooms/lively").statusCode() == 200);

    await().atMost(Duration.ofSeconds(30)).until(() -> {
      roomExpiry.expire();
      return get("/v1/rooms/forsaken").statusCode() == 404;
    });
    assertThat(get("/v1/rooms/lively").statusCode()).isEqualTo(200);
    assertThat(json("/v1/users/kate@example.com/presence").path("rooms")).isEmpty();
    assertThat(changes("forsaken")).containsSubsequence("PARTICIPANT_JOINED kate 1", "PARTICIPANT_LEFT kate 1",
        "ROOM_CLOSED  1");
    assertThat(json("/actuator/metrics/switchboard.state.rooms.expired").path("measurements").get(0).path("value")
        .asDouble()).isGreaterThanOrEqualTo(1.0);
  }

  @org.springframework.beans.factory.annotation.Autowired
  io.switchboard.state.consumer.RoomExpiry roomExpiry;

  private static PresenceEvent snapshot(String room, long seq, PresenceEvent.Member... members) {
    return PresenceEvent.snapshot(UUID.randomUUID().toString(), room, seq, Instant.now(), "signaling-sweeper", "kms-0",
        List.of(members));
  }

  private static PresenceEvent.Member member(String name, boolean audio, boolean video, boolean connected) {
    return new PresenceEvent.Member(name, name + "@example.com", audio, video, connected, System.currentTimeMillis());
  }

  /** A room's entries in the change stream, as "TYPE participant sequence". */
  private static List<String> changes(String room) {
    try (var redis = io.lettuce.core.RedisClient.create(REDIS.url()); var connection = redis.connect()) {
      return connection.sync().xrange(io.switchboard.state.view.PresenceViewKeys.changes(), io.lettuce.core.Range.create("-", "+"))
          .stream().map(m -> m.getBody()).filter(b -> room.equals(b.get("roomId")))
          .map(b -> b.get("type") + " " + b.get("participant") + " " + b.get("sequence")).toList();
    }
  }

  /** Redis wiped under a running service: the view is built again from the topic. */
  @Test
  void aWipedViewRebuildsItselfFromTheTopic() {
    send(event(PresenceType.ROOM_OPENED, "durable", 1, null, null, null));
    send(event(PresenceType.PARTICIPANT_JOINED, "durable", 2, "jane", true, true));
    send(event(PresenceType.PARTICIPANT_MEDIA_CHANGED, "durable", 3, "jane", true, false));
    await().atMost(Duration.ofSeconds(20)).until(() -> json("/v1/rooms/durable").path("sequence").asLong() == 3);
    JsonNode before = json("/v1/rooms/durable");

    try (var redis = io.lettuce.core.RedisClient.create(REDIS.url()); var connection = redis.connect()) {
      connection.sync().flushall();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/v1/rooms/durable").statusCode() == 200
        && json("/v1/rooms/durable").path("sequence").asLong() == 3);
    JsonNode after = json("/v1/rooms/durable");
    assertThat(after.path("participants")).isEqualTo(before.path("participants"));
    assertThat(json("/v1/users/jane@example.com/presence").path("rooms").get(0).path("roomId").asText())
        .isEqualTo("durable");
    // And it goes on from there.
    send(event(PresenceType.PARTICIPANT_LEFT, "durable", 4, "jane", null, null));
    await().atMost(Duration.ofSeconds(20)).until(() -> json("/v1/rooms/durable").path("participants").isEmpty());
  }

  @Test
  void withoutTheServiceTokenNothingIsServedAndThe401SaysWhatToPresent() throws Exception {
    for (String authorization : new String[] {null, "Bearer another-service-token-0123456789abcdef"}) {
      for (String path : new String[] {"/v1/rooms", "/v1/rooms/standup", "/v1/users/alice/presence", "/v1/stream"}) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (authorization != null) {
          request.header("Authorization", authorization);
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
            .startsWith("application/problem+json"));
        assertThat(r.body()).as(path).contains("\"code\":\"unauthorized\"").contains("switchboard.service-token");
      }
    }
  }

  @Test
  void oneClientAddressHasAtMostItsShareOfStreams() throws Exception {
    List<SseClient> open = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        SseClient s = new SseClient("", null, "198.51.100.7");
        open.add(s);
        assertThat(s.subscribed).succeedsWithin(Duration.ofSeconds(10));
      }
      HttpResponse<String> fourth = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v1/stream"))
          .header("Authorization", io.switchboard.testing.TestCredentials.SERVICE_AUTHORIZATION)
          .header("X-Switchboard-Client", "198.51.100.7").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(fourth.statusCode()).isEqualTo(429);
      assertThat(fourth.headers().firstValue("Retry-After")).contains("5");
      assertThat(fourth.body()).contains("\"code\":\"too-many-subscribers-here\"");
      // Another client is not held to that one's share.
      try (SseClient other = new SseClient("", null, "198.51.100.8")) {
        assertThat(other.subscribed).succeedsWithin(Duration.ofSeconds(10));
      }
    } finally {
      open.forEach(SseClient::close);
    }
  }

  @Test
  void badQueriesGet4xxJson() {
    HttpResponse<String> badRoom = get("/v1/rooms/a%3Ab");
    assertThat(badRoom.statusCode()).isEqualTo(400);
    assertThat(badRoom.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
    assertThat(badRoom.body()).contains("\"code\":\"invalid-room-id\"");
    HttpResponse<String> badIdentity = get("/v1/users/%3Cscript%3E/presence");
    assertThat(badIdentity.statusCode()).isEqualTo(400);
    assertThat(badIdentity.body()).contains("\"code\":\"invalid-identity\"");
    assertThat(get("/v1/rooms/nowhere").statusCode()).isEqualTo(404);
    // A Last-Event-ID this stream could not have sent is refused, whatever its size.
    for (String id : new String[] {"99999999999999999999-0", "1-2-3", "yesterday"}) {
      HttpResponse<String> badResume = getWith("/v1/stream", "Last-Event-ID", id);
      assertThat(badResume.statusCode()).as(id).isEqualTo(400);
      assertThat(badResume.body()).as(id).contains("\"code\":\"invalid-last-event-id\"");
    }
    // The API describes itself.
    assertThat(get("/v3/api-docs").body()).contains("/v1/rooms/{roomId}").contains("/v1/users/{identity}/presence")
        .contains("/v1/stream");
    // Someone never seen is simply nowhere.
    assertThat(json("/v1/users/nobody@example.com/presence").path("rooms")).isEmpty();
  }
}
