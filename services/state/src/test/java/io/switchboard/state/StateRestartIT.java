package io.switchboard.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudevents.CloudEvent;
import io.switchboard.presence.PresenceContract;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import io.switchboard.state.view.PresenceView;
import io.switchboard.launchers.KafkaBroker;
import io.switchboard.launchers.RedisServerProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A state service stopped in the middle of a stream and started again ends with the view a
 * service that never stopped would have: offsets are committed only after the view holds an
 * event, and what is delivered again is applied once.
 */
class StateRestartIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KafkaBroker KAFKA = KafkaBroker.start(PresenceContract.TOPIC, PresenceContract.DEAD_LETTER_TOPIC);

  @AfterAll
  static void stop() {
    KAFKA.close();
    REDIS.close();
  }

  private static ConfigurableApplicationContext service() {
    return new SpringApplicationBuilder(StateApplication.class).run("--server.port=0", "--server.address=127.0.0.1",
        "--management.server.port=0", "--management.server.address=127.0.0.1",
        "--spring.data.redis.url=" + REDIS.url(), "--spring.kafka.bootstrap-servers=" + KAFKA.bootstrapServers(),
        "--switchboard.state.group-id=restart-test");
  }

  /** Five rooms: each person joins, mutes, and every other one leaves. */
  private static List<PresenceEvent> script() {
    List<PresenceEvent> events = new ArrayList<>();
    for (int r = 0; r < 5; r++) {
      String room = "room-" + r;
      long seq = 1;
      for (int p = 0; p < 10; p++) {
        String name = "p" + p;
        events.add(event(PresenceType.PARTICIPANT_JOINED, room, seq++, name, true, true));
        events.add(event(PresenceType.PARTICIPANT_MEDIA_CHANGED, room, seq++, name, p % 3 != 0, true));
        if (p % 2 == 1) {
          events.add(event(PresenceType.PARTICIPANT_LEFT, room, seq++, name, null, null));
        }
      }
    }
    return events;
  }

  private static PresenceEvent event(PresenceType type, String room, long seq, String name, Boolean audio,
      Boolean video) {
    return new PresenceEvent(UUID.randomUUID().toString(), type, room, seq, Instant.now(), "signaling-test", name,
        name + "@" + room, "kms-0", audio, video, null, null);
  }

  @Test
  void aServiceRestartedMidStreamEndsWithTheSameView() {
    List<PresenceEvent> events = script();
    int half = events.size() / 2;
    try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of(
        "bootstrap.servers", KAFKA.bootstrapServers(), "key.serializer", StringSerializer.class,
        "value.serializer", PresenceContract.serializer(), "cloudevents.serializer.encoding", "BINARY"))) {
      ConfigurableApplicationContext first = service();
      PresenceView view = first.getBean(PresenceView.class);
      events.subList(0, half).forEach(e -> producer.send(PresenceContract.record(e)));
      producer.flush();
      // Stopped while it is still applying (some of the first half at least).
      await().atMost(Duration.ofSeconds(20)).until(() -> !view.rooms().isEmpty());
      first.close();
      events.subList(half, events.size()).forEach(e -> producer.send(PresenceContract.record(e)));
      // The first half again, as a producer retrying after a lost acknowledgement would.
      events.subList(0, 10).forEach(e -> producer.send(PresenceContract.record(e)));
      producer.flush();

      try (ConfigurableApplicationContext second = service()) {
        PresenceView again = second.getBean(PresenceView.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> again.rooms().size() == 5
            && again.rooms().stream().allMatch(r -> r.participants() == 5)
            && again.room("room-4").orElseThrow().sequence() == 25);
        for (int r = 0; r < 5; r++) {
          PresenceView.Room room = again.room("room-" + r).orElseThrow();
          assertThat(room.participants()).extracting(PresenceView.Participant::name)
              .containsExactly("p0", "p2", "p4", "p6", "p8");
          assertThat(room.participants()).extracting(PresenceView.Participant::audio)
              .containsExactly(false, true, true, false, true);
        }
        assertThat(again.presence("p3@room-2").rooms()).isEmpty();
        // The ten sent again were recognised, not applied again.
        assertThat(second.getBean(io.micrometer.core.instrument.MeterRegistry.class)
            .counter("switchboard.state.events", "outcome", "duplicate").count()).isEqualTo(10.0);
        assertThat(again.presence("p4@room-2").rooms()).hasSize(1);
      }
    }
  }
}
