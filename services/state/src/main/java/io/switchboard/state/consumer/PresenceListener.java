package io.switchboard.state.consumer;

import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.presence.PresenceContract;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.state.view.PresenceView;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.switchboard.presence.PoisonEventException;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Applies presence events to the view, a poll's batch at a time, and commits offsets only once the
 * view holds the events (a crash before that redelivers them; the view applies each once). An
 * event that cannot be read is thrown back to the container's error handler, which sends it to
 * the dead-letter topic and goes on.
 */
public final class PresenceListener extends org.springframework.kafka.listener.AbstractConsumerSeekAware {

  private static final Logger log = LoggerFactory.getLogger(PresenceListener.class);

  private final PresenceView view;
  private final Clock clock;
  private final Map<PresenceView.Outcome, Counter> outcomes = new EnumMap<>(PresenceView.Outcome.class);
  private final Timer delay;
  private final Counter rebuilds;

  public PresenceListener(PresenceView view, Clock clock, MeterRegistry registry) {
    this.view = view;
    this.clock = clock;
    for (PresenceView.Outcome o : PresenceView.Outcome.values()) {
      outcomes.put(o, Counter.builder("switchboard.state.events").tag("outcome", o.name().toLowerCase())
          .description("Presence events consumed, by what applying them did").register(registry));
    }
    this.delay = Timer.builder("switchboard.state.event.delay")
        .description("From an event's time to its being applied to the view").publishPercentileHistogram()
        .register(registry);
    this.rebuilds = Counter.builder("switchboard.state.view.rebuilds")
        .description("Times the view was built again from the start of the topic").register(registry);
  }

  /**
   * Partitions assigned: a view that was never built, or was wiped, is built again from the start
   * of the topic (the event ids it deduplicated by went with it, so every event applies again).
   */
  @Override
  public void onPartitionsAssigned(Map<org.apache.kafka.common.TopicPartition, Long> assignments,
      ConsumerSeekCallback callback) {
    super.onPartitionsAssigned(assignments, callback);
    if (!view.intact()) {
      rebuilding();
      callback.seekToBeginning(assignments.keySet());
    }
  }

  /** Checked now and then while running: Redis may have been wiped under the view. */
  @org.springframework.scheduling.annotation.Scheduled(fixedDelayString = "${switchboard.state.wipe-check:5s}")
  public void checkIntact() {
    try {
      if (!getTopicsAndCallbacks().isEmpty() && !view.intact()) {
        rebuilding();
        seekToBeginning(); // done by the consumer threads at their next poll
      }
    } catch (RuntimeException e) {
      log.debug("view check failed: {}", e.toString());
    }
  }

  private void rebuilding() {
    log.warn("the view is empty or was wiped: building it again from the start of {}", PresenceContract.TOPIC);
    view.markBuilding();
    rebuilds.increment();
  }

  /**
   * A poll's batch: its events applied in one pipelined round trip, in order, then acknowledged
   * (committed together once the view holds them). A record that cannot be read stops the batch
   * there: what came before it is applied, and the error handler sends it to the dead-letter
   * topic and goes on with the rest.
   */
  @KafkaListener(id = "presence", topics = PresenceContract.TOPIC, groupId = "${switchboard.state.group-id:state}",
      batch = "true")
  public void onEvents(List<ConsumerRecord<String, CloudEvent>> records, Acknowledgment ack) {
    List<PresenceEvent> events = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      try {
        events.add(PresenceContract.fromCloudEvent(records.get(i).value()));
      } catch (PoisonEventException e) {
        apply(events);
        throw new BatchListenerFailedException(e.getMessage(), e, i);
      }
    }
    apply(events);
    ack.acknowledge();
  }

  private void apply(List<PresenceEvent> events) {
    List<PresenceView.Outcome> results = view.applyAll(events);
    for (int i = 0; i < events.size(); i++) {
      PresenceEvent event = events.get(i);
      PresenceView.Outcome outcome = results.get(i);
      outcomes.get(outcome).increment();
      if (outcome != PresenceView.Outcome.DUPLICATE && outcome != PresenceView.Outcome.STALE) {
        delay.record(Duration.between(event.time(), clock.instant()));
      }
      if (outcome == PresenceView.Outcome.APPLIED_AFTER_GAP) {
        log.info("room {}: #{} came before some earlier events", event.roomId(), event.sequence());
      }
    }
  }

}
