package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static io.switchboard.signaling.CallSteps.joined;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudevents.CloudEvent;
import io.switchboard.presence.PresenceContract;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import io.switchboard.launchers.KafkaBroker;
import io.switchboard.launchers.KafkaBrokerProcess;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Presence events from a signaling pod to a real Kafka broker (KRaft): every change of a room, in
 * order, numbered without gaps, in the contract's CloudEvents form; and a broker that stops and
 * comes back while people join and leave loses nothing and repeats nothing, while signaling never
 * waits for it.
 */
class PresenceEventsIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(1);
  static final PlacementStub PLACEMENT = new PlacementStub(REDIS.url(), () -> KMS.node(0).url());

  @AfterAll
  static void stop() {
    PLACEMENT.close();
    KMS.close();
    REDIS.close();
  }

  /**
   * These tests read a room's events exactly, numbers and all: no sweep runs while they do (a sweep
   * would add the room's snapshots, and take numbers for them; RoomSweeperTest shows those).
   */
  static final String NO_SWEEPS = "--switchboard.signaling.sweep-interval=1h";

  private static ConfigurableApplicationContext pod(String bootstrap) {
    return SignalingPods.start(REDIS.url(), PLACEMENT.url(), "--spring.kafka.bootstrap-servers=" + bootstrap,
        "--switchboard.signaling.pod-id=presence-pod", "--switchboard.signaling.resume-grace=2s", NO_SWEEPS,
        "--switchboard.presence.unanswered-after=3s");
  }

  private static com.fasterxml.jackson.databind.JsonNode readiness(ConfigurableApplicationContext pod) {
    try {
      String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + SignalingPods.managementPort(pod) + "/actuator/health/readiness")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      return BrowserSocket.JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Reads the topic from the start until {@code count} events of the room came (or 60 s passed). */
  private static List<ConsumerRecord<String, CloudEvent>> read(String bootstrap, String room, int count) {
    Map<String, Object> config = Map.of("bootstrap.servers", bootstrap, "group.id", "test-" + UUID.randomUUID(),
        "auto.offset.reset", "earliest", "key.deserializer", StringDeserializer.class,
        "value.deserializer", PresenceContract.deserializer());
    List<ConsumerRecord<String, CloudEvent>> found = new ArrayList<>();
    try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(PresenceContract.TOPIC));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (found.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(250)).forEach(r -> {
          if (room.equals(r.key())) {
            found.add(r);
          }
        });
      }
      // Nothing more than expected arrives (a duplicate would).
      consumer.poll(Duration.ofSeconds(1)).forEach(r -> {
        if (room.equals(r.key())) {
          found.add(r);
        }
      });
    }
    return found;
  }

  private static List<PresenceEvent> events(List<ConsumerRecord<String, CloudEvent>> records) {
    return records.stream().map(r -> PresenceContract.fromCloudEvent(r.value())).toList();
  }

  private static List<Long> sequences(List<PresenceEvent> events) {
    return events.stream().map(PresenceEvent::sequence).toList();
  }

  @Test
  void everyChangeOfARoomIsAnEventInOrder() {
    try (KafkaBroker kafka = KafkaBroker.start(PresenceContract.TOPIC);
        ConfigurableApplicationContext pod = pod(kafka.bootstrapServers());
        BrowserSocket bob = new BrowserSocket(SignalingPods.url(pod))) {
      BrowserSocket alice = new BrowserSocket(SignalingPods.url(pod));
      String token = joined(alice, "alice", "watched");
      alice.send(message("mediaState").put("audio", false).put("video", true));
      alice.next("participantMediaState");
      joined(bob, "bob", "watched");
      alice.close(); // dropped
      // The pod hears of the close after the client does: she resumes once she is parked (else the
      // resume could come first, and there would be no disconnect to tell of).
      await().atMost(Duration.ofSeconds(15)).until(
          () -> SignalingState.member(PLACEMENT.redis(), "watched", "alice").path("parkedUntil").asLong() > 0);
      try (BrowserSocket again = new BrowserSocket(SignalingPods.url(pod))) {
        again.send(message("resume").put("token", token));
        again.next("resumed");
        bob.send(message("leaveRoom"));
        again.next("participantLeft");
        again.send(message("leaveRoom"));
      }

      List<ConsumerRecord<String, CloudEvent>> records = read(kafka.bootstrapServers(), "watched", 9);
      List<PresenceEvent> events = events(records);
      assertThat(events).extracting(PresenceEvent::type).containsExactly(
          PresenceType.ROOM_OPENED, PresenceType.PARTICIPANT_JOINED, PresenceType.PARTICIPANT_MEDIA_CHANGED,
          PresenceType.PARTICIPANT_JOINED, PresenceType.PARTICIPANT_DISCONNECTED, PresenceType.PARTICIPANT_RESUMED,
          PresenceType.PARTICIPANT_LEFT, PresenceType.PARTICIPANT_LEFT, PresenceType.ROOM_CLOSED);
      assertThat(sequences(events)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
      assertThat(events).extracting(PresenceEvent::participant)
          .containsExactly(null, "alice", "alice", "bob", "alice", "alice", "bob", "alice", null);
      PresenceEvent muted = events.get(2);
      assertThat(muted.audio()).isFalse();
      assertThat(muted.video()).isTrue();
      assertThat(events.get(0).kmsNode()).isEqualTo("kms-0");
      assertThat(events.get(0).roomName()).isEqualTo("watched");
      assertThat(events.get(1).roomName()).isEqualTo("watched");
      assertThat(events.get(4).reason()).isEqualTo("socket-closed");
      assertThat(events.get(7).reason()).isEqualTo("left");
      assertThat(events).allSatisfy(e -> assertThat(e.source()).isEqualTo("presence-pod"));
      assertThat(events).extracting(PresenceEvent::id).doesNotHaveDuplicates();
      // Binary mode: CloudEvents attributes travel as ce_* headers.
      assertThat(new String(records.get(1).headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8))
          .isEqualTo("switchboard.participant.joined");
      assertThat(new String(records.get(1).headers().lastHeader("ce_specversion").value(), StandardCharsets.UTF_8))
          .isEqualTo("1.0");
    }
  }

  /**
   * A pod dies with a participant: the pod that remains reports it disconnected (the pod died)
   * and, when no resume came, left — so a view built from the topic converges.
   */
  @Test
  void aDeadPodsParticipantIsReportedByThePodThatRemains() {
    try (KafkaBroker kafka = KafkaBroker.start(PresenceContract.TOPIC);
        io.switchboard.launchers.ServiceProcess podA = io.switchboard.launchers.ServiceProcess.start("signaling",
            "--spring.data.redis.url=" + REDIS.url(), "--switchboard.placement.url=" + PLACEMENT.url(),
            "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--switchboard.signaling.pod-id=doomed",
            "--switchboard.signaling.resume-grace=2s", SignalingPods.OPEN_MODE, SignalingPods.FAST_HEARTBEATS.get(0),
            SignalingPods.FAST_HEARTBEATS.get(1), NO_SWEEPS);
        ConfigurableApplicationContext podB = SignalingPods.start(REDIS.url(), PLACEMENT.url(),
            "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--switchboard.signaling.pod-id=survivor",
            "--switchboard.signaling.resume-grace=2s", NO_SWEEPS)) {
      BrowserSocket alice = new BrowserSocket("ws://127.0.0.1:" + podA.port() + "/groupcall");
      joined(alice, "alice", "orphaned");
      // Its own events are out before it dies.
      assertThat(events(read(kafka.bootstrapServers(), "orphaned", 2))).hasSize(2);
      podA.kill();

      List<PresenceEvent> events = events(read(kafka.bootstrapServers(), "orphaned", 5));
      assertThat(events).extracting(PresenceEvent::type).containsExactly(PresenceType.ROOM_OPENED,
          PresenceType.PARTICIPANT_JOINED, PresenceType.PARTICIPANT_DISCONNECTED, PresenceType.PARTICIPANT_LEFT,
          PresenceType.ROOM_CLOSED);
      assertThat(sequences(events)).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(events.get(2).reason()).isEqualTo("pod-died");
      assertThat(events.get(3).reason()).isEqualTo("expired");
      assertThat(events.subList(2, 5)).allSatisfy(e -> assertThat(e.source()).isEqualTo("survivor"));
      alice.close();
    }
  }

  @Test
  void aBrokerThatStopsAndReturnsLosesNothingAndRepeatsNothing() {
    try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start(PresenceContract.TOPIC);
        ConfigurableApplicationContext pod = pod(kafka.bootstrapServers())) {
      try (BrowserSocket first = new BrowserSocket(SignalingPods.url(pod))) {
        joined(first, "first", "outage"); // the producer has met the broker
        kafka.stop();
        // Signaling goes on without it: people join, mute, leave.
        for (int i = 0; i < 5; i++) {
          try (BrowserSocket s = new BrowserSocket(SignalingPods.url(pod))) {
            joined(s, "guest" + i, "outage");
            s.send(message("mediaState").put("audio", false).put("video", false));
            s.next("participantMediaState");
            s.send(message("leaveRoom"));
          }
        }
        first.send(message("leaveRoom"));
        first.send(message("joinRoom").put("name", "first").put("room", "outage-check"));
        first.next("existingParticipants");
        // Said once, shown in readiness's details; the pod stays ready.
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
          com.fasterxml.jackson.databind.JsonNode r = readiness(pod);
          assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("UP");
          assertThat(r.path("components").path("presence").path("details").path("kafka").asText()).as(r.toString())
              .isEqualTo("does not answer");
        });
        kafka.restart();
        await().atMost(Duration.ofSeconds(60)).until(() ->
            readiness(pod).path("components").path("presence").path("details").path("kafka").asText().equals("answers"));
      }
      // 1 opened + 1 joined + 5 × (joined, media-changed, left) + 1 left + 1 closed.
      List<PresenceEvent> events = events(read(kafka.bootstrapServers(), "outage", 19));
      assertThat(events).hasSize(19);
      assertThat(sequences(events)).isSorted().doesNotHaveDuplicates();
      assertThat(sequences(events).get(0)).isEqualTo(1L);
      assertThat(sequences(events).get(18)).isEqualTo(19L);
      assertThat(events).extracting(PresenceEvent::id).doesNotHaveDuplicates();
      assertThat(events.get(18).type()).isEqualTo(PresenceType.ROOM_CLOSED);
    }
  }
}
