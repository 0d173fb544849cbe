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
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.switchboard.presence.PoisonEventException;
import org.springframework.kafka.annotation.KafkaListener;
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
  private final java.util.function.BiConsumer<ConsumerRecord<?, ?>, Exception> deadLetters;
  private final Clock clock;
  private final Map<PresenceView.Outcome, Counter> outcomes = new EnumMap<>(PresenceView.Outcome.class);
  private final Timer delay;
  private final Counter rebuilds;
  private final Counter deadLettered;
  /** Whether this replica has seen the view hold positions (their absence later means a wipe). */
  private volatile boolean tookIn;
  /**
   * Each partition this replica reads, and how far behind its end it was at the last look (after
   * each batch, and when idle); -1 until known.
   */
  private final Map<org.apache.kafka.common.TopicPartition, Long> lags = new java.util.concurrent.ConcurrentHashMap<>();

  /** {@code deadLetters} publishes a record that cannot be read, and returns once the broker has it. */
  public PresenceListener(PresenceView view, java.util.function.BiConsumer<ConsumerRecord<?, ?>, Exception> deadLetters,
      Clock clock, MeterRegistry registry) {
    this.view = view;
    this.deadLetters = deadLetters;
    this.clock = clock;
    for (PresenceView.Outcome o : PresenceView.Outcome.values()) {
      outcomes.put(o, Counter.builder("switchboard.state.events").tag("outcome", o.name().toLowerCase())
          .description("Presence events consumed, by what applying them did").register(registry));
    }
    this.delay = Timer.builder("switchboard.state.event.delay")
        .description("From an event's time to its being applied to the view").publishPercentileHistogram()
        .register(registry);
    this.rebuilds = Counter.builder("switchboard.state.view.rebuilds")
        .description("Times the view was found wiped and built again from the start of the topic").register(registry);
    this.deadLettered = Counter.builder("switchboard.state.events.dead.lettered")
        .description("Events sent to the dead-letter topic (unreadable, unknown type, bad data)").register(registry);
  }

  /**
   * Partitions assigned: each is read on from where the view stands in it (the view keeps its
   * positions itself, written with each event's effect), or from the start when the view has
   * none for it — a fresh view, or a wiped one, is built from the topic, partition by partition,
   * whichever replica gets each.
   */
  @Override
  public void onPartitionsAssigned(Map<org.apache.kafka.common.TopicPartition, Long> assignments,
      ConsumerSeekCallback callback) {
    super.onPartitionsAssigned(assignments, callback);
    assignments.keySet().forEach(tp -> lags.put(tp, -1L));
    Map<Integer, Long> positions = view.positions();
    for (org.apache.kafka.common.TopicPartition tp : assignments.keySet()) {
      Long at = positions.get(tp.partition());
      if (at == null) {
        callback.seekToBeginning(List.of(tp));
      } else {
        callback.seek(tp.topic(), tp.partition(), at + 1);
      }
    }
  }

  @Override
  public void onPartitionsRevoked(java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
    super.onPartitionsRevoked(partitions);
    partitions.forEach(lags::remove);
  }

  /**
   * Whether this replica has read to the end of every partition it reads, as of its last look: what
   * the view's expiry waits for (a replica catching up on a backlog has not heard of live rooms yet).
   * False while it reads none.
   */
  public boolean caughtUp() {
    return !lags.isEmpty() && lags.values().stream().allMatch(lag -> lag == 0);
  }

  /** The container found nothing to read for a while: how far behind is it (nothing, normally)? */
  @org.springframework.context.event.EventListener
  public void onIdle(org.springframework.kafka.event.ListenerContainerIdleEvent idle) {
    noteLags(idle.getConsumer());
  }

  /** Called on the consumer's own thread (the only one that may use it). */
  private void noteLags(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer) {
    if (consumer == null) {
      return;
    }
    for (org.apache.kafka.common.TopicPartition tp : consumer.assignment()) {
      java.util.OptionalLong lag = consumer.currentLag(tp);
      lags.put(tp, lag.isPresent() ? lag.getAsLong() : -1L);
    }
  }

  /** Checked now and then while running: Redis may have been wiped under the view. */
  @org.springframework.scheduling.annotation.Scheduled(fixedDelayString = "${switchboard.state.wipe-check:5s}")
  public void checkIntact() {
    try {
      if (tookIn && !getTopicsAndCallbacks().isEmpty() && view.positions().isEmpty()) {
        log.warn("the view was wiped: building it again from the start of {}", PresenceContract.TOPIC);
        tookIn = false;
        rebuilds.increment();
        seekToBeginning(); // done by the consumer threads at their next poll
      }
    } catch (RuntimeException e) {
      log.debug("view check failed: {}", e.toString());
    }
  }

  /**
   * A poll's batch: its events applied in one pipelined round trip, in order, each with its
   * position; a record that cannot be read is dead-lettered in its place (what came before it is
   * applied first) and noted as taken in; then the batch is acknowledged. Any other failure
   * (Redis away) reaches the error handler, which retries the whole batch: applying is idempotent.
   */
  @KafkaListener(id = "presence", topics = PresenceContract.TOPIC, groupId = "${switchboard.state.group-id:state}",
      batch = "true")
  public void onEvents(List<ConsumerRecord<String, CloudEvent>> records, Acknowledgment ack,
      org.apache.kafka.clients.consumer.Consumer<?, ?> consumer) {
    List<PresenceView.Positioned> batch = new ArrayList<>(records.size());
    List<ConsumerRecord<String, CloudEvent>> sources = new ArrayList<>(records.size());
    for (ConsumerRecord<String, CloudEvent> record : records) {
      PresenceEvent event;
      try {
        event = PresenceContract.fromCloudEvent(record.value());
      } catch (PoisonEventException e) {
        applyOrBlame(batch, sources);
        batch.clear();
        sources.clear();
        deadLetters.accept(record, e);
        view.taken(record.partition(), record.offset());
        deadLettered.increment();
        log.warn("event at {}-{}@{} dead-lettered: {}", record.topic(), record.partition(), record.offset(),
            e.getMessage());
        continue;
      }
      batch.add(new PresenceView.Positioned(event, record.partition(), record.offset()));
      sources.add(record);
    }
    applyOrBlame(batch, sources);
    tookIn = true;
    ack.acknowledge();
    noteLags(consumer);
  }

  /**
   * Applies the batch. When the store is away ({@link StoreFailures#isTransient}) the failure goes
   * to the error handler as it is: the whole batch is retried, for as long as it takes. Any other
   * failure is pinned on its event (applied one by one: applying is idempotent), which the error
   * handler retries a few times and then dead-letters ({@link #recover}); the events before it
   * are applied, and those after it follow.
   */
  private void applyOrBlame(List<PresenceView.Positioned> batch, List<ConsumerRecord<String, CloudEvent>> sources) {
    try {
      apply(batch);
    } catch (RuntimeException failed) {
      if (StoreFailures.isTransient(failed)) {
        throw failed;
      }
      for (int i = 0; i < batch.size(); i++) {
        try {
          apply(List.of(batch.get(i)));
        } catch (RuntimeException one) {
          if (StoreFailures.isTransient(one)) {
            throw one;
          }
          throw new BatchListenerFailedException("event cannot be applied: "
              + org.springframework.core.NestedExceptionUtils.getMostSpecificCause(one).getMessage(), one, sources.get(i));
        }
      }
    }
  }

  /**
   * An event the view could not take after its retries: to the dead-letter topic with the reason
   * (alert SwitchboardPresenceDeadLettered), counted, noted as taken in; the partition goes on.
   */
  public void recover(ConsumerRecord<?, ?> record, Exception failure) {
    deadLetters.accept(record, failure);
    view.taken(record.partition(), record.offset());
    deadLettered.increment();
    log.error("event at {}-{}@{} could not be applied, dead-lettered: {}", record.topic(), record.partition(),
        record.offset(), failure.toString());
  }

  private void apply(List<PresenceView.Positioned> batch) {
    List<PresenceView.Outcome> results = view.applyAll(batch);
    for (int i = 0; i < batch.size(); i++) {
      PresenceEvent event = batch.get(i).event();
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
