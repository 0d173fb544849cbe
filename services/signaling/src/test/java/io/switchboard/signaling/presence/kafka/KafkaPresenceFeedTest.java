package io.switchboard.signaling.presence.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A broker that stops answering is said once, exposed as a gauge, and its return said once. */
class KafkaPresenceFeedTest {

  /** Answers an event only when told (completeNext); what it serializes does not matter here. */
  final MockProducer<String, CloudEvent> producer = new MockProducer<>(false, null, new StringSerializer(),
      (topic, event) -> new byte[0]);
  final AtomicLong now = new AtomicLong(Duration.ofHours(1).toNanos());
  final AtomicLong sequence = new AtomicLong();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final KafkaPresenceFeed feed = new KafkaPresenceFeed(producer, room -> sequence.incrementAndGet(), 100,
      Duration.ofSeconds(10), registry,
      now::get, false);
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger(KafkaPresenceFeed.class);

  @BeforeEach
  void listen() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void stop() {
    logger.detachAppender(logs);
    feed.close();
  }

  static PresenceEvent joined(String name) {
    return new PresenceEvent(UUID.randomUUID().toString(), PresenceType.PARTICIPANT_JOINED, "standup", 0,
        Instant.parse("2026-12-04T10:00:00Z"), "pod-a", name, name, "kms-0", true, true, null, "standup");
  }

  double gauge() {
    return registry.get("switchboard.signaling.presence.kafka.reachable").gauge().value();
  }

  List<String> said(Level level) {
    return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void kafkaLeavingAnEventUnansweredIsSaidOnceAndItsReturnOnce() {
    feed.publish(joined("alice"));
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
    advance(Duration.ofSeconds(5));
    feed.checkReachability();
    assertThat(feed.kafkaReachable()).as("5 s unanswered: not yet").isTrue();
    assertThat(gauge()).isEqualTo(1.0);

    advance(Duration.ofSeconds(6));
    for (int i = 0; i < 30; i++) { // thirty seconds of checks: said once
      feed.checkReachability();
      advance(Duration.ofSeconds(1));
    }
    assertThat(feed.kafkaReachable()).isFalse();
    assertThat(gauge()).isEqualTo(0.0);
    assertThat(feed.unreachableFor()).isEqualTo(Duration.ofSeconds(40));
    assertThat(said(Level.WARN)).singleElement().asString().startsWith("Kafka does not answer");

    producer.completeNext(); // the broker is back: the event is acknowledged
    feed.checkReachability();
    feed.checkReachability();
    assertThat(feed.kafkaReachable()).isTrue();
    assertThat(gauge()).isEqualTo(1.0);
    assertThat(said(Level.INFO)).singleElement().asString().startsWith("Kafka answers again after 40 s");
    assertThat(said(Level.WARN)).hasSize(1);
  }

  @Test
  void aFeedWithNothingToSendJudgesNothing() {
    advance(Duration.ofMinutes(10));
    feed.checkReachability();
    assertThat(feed.kafkaReachable()).isTrue();
    assertThat(logs.list).isEmpty();
  }

  @Test
  void eventsAnsweredInTimeNeverCountAsUnreachable() {
    for (int i = 0; i < 5; i++) {
      feed.publish(joined("p" + i));
      int sent = i + 1;
      await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == sent);
      advance(Duration.ofSeconds(8));
      feed.checkReachability();
      producer.completeNext();
      advance(Duration.ofSeconds(8));
      feed.checkReachability();
    }
    assertThat(feed.kafkaReachable()).isTrue();
    assertThat(said(Level.WARN)).isEmpty();
  }

  @Test
  void anEventNumberedInTheStoresStepKeepsItsNumberAndOthersAreNumberedWhenSent() {
    sequence.set(40);
    PresenceEvent left = joined("alice");
    left = new PresenceEvent(left.id(), PresenceType.PARTICIPANT_LEFT, left.roomId(), 7, left.time(), left.source(),
        "alice", "alice", null, null, null, "left", null);
    feed.publish(left);
    feed.publish(joined("bob"));
    await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
    assertThat(producer.history()).extracting(r -> io.switchboard.presence.PresenceContract.fromCloudEvent(r.value())
        .sequence()).containsExactly(7L, 41L);
  }
}
