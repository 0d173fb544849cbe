package io.switchboard.signaling.presence.kafka;

import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.presence.PresenceContract;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.signaling.domain.PresenceFeed;
import io.switchboard.signaling.domain.RoomSequences;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence events to Kafka, off the critical path: {@link #publish} queues (bounded; a full queue
 * drops, counted) and one sender thread numbers each event in its room ({@link RoomSequences})
 * and hands it to an idempotent, acks=all producer, in order. While the broker is away the
 * producer retries what it was given (up to its delivery timeout) and the sender waits in send()
 * for the broker's metadata, so the events behind stay queued in order and go out when it
 * returns; signaling never waits for any of it.
 */
public final class KafkaPresenceFeed implements PresenceFeed, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaPresenceFeed.class);
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final Producer<String, CloudEvent> producer;
  private final RoomSequences sequences;
  private final BlockingQueue<PresenceEvent> queue;
  private final Counter sent;
  private final Counter failed;
  private final Counter dropped;
  private final Thread sender;
  private volatile boolean running = true;

  public KafkaPresenceFeed(Producer<String, CloudEvent> producer, RoomSequences sequences, int capacity,
      MeterRegistry registry) {
    this.producer = producer;
    this.sequences = sequences;
    this.queue = new LinkedBlockingQueue<>(capacity);
    this.sent = events(registry, "sent");
    this.failed = events(registry, "failed");
    this.dropped = events(registry, "dropped");
    Gauge.builder("switchboard.signaling.presence.queue", queue, BlockingQueue::size)
        .description("Presence events waiting to be handed to Kafka").register(registry);
    this.sender = new Thread(this::run, "presence-sender");
    this.sender.setDaemon(true);
    this.sender.start();
  }

  private static Counter events(MeterRegistry registry, String outcome) {
    return Counter.builder("switchboard.signaling.presence.events").tag("outcome", outcome)
        .description("Presence events, by what became of them").register(registry);
  }

  @Override
  public void publish(PresenceEvent event) {
    if (!queue.offer(event)) {
      dropped.increment();
      log.warn("presence queue full: {} of room {} dropped", event.type().ceType(), event.roomId());
    }
  }

  private void run() {
    while (running) {
      PresenceEvent event;
      try {
        event = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        break;
      }
      if (event != null) {
        send(event);
      }
    }
  }

  /** Numbers and sends one event, retrying until it is handed over (or the pod stops). */
  private void send(PresenceEvent event) {
    PresenceEvent numbered = null;
    while (running) {
      if (numbered == null) {
        try {
          numbered = event.withSequence(sequences.next(event.roomId()));
        } catch (RuntimeException e) {
          log.debug("presence event {} of room {} waits for its number: {}", event.type().ceType(), event.roomId(),
              e.toString());
          pause(); // Redis away: the same event again, in order
          continue;
        }
      }
      PresenceEvent what = numbered;
      try {
        producer.send(PresenceContract.record(numbered), (metadata, e) -> {
          if (e == null) {
            sent.increment();
          } else {
            failed.increment();
            log.warn("presence event {} #{} of room {} not delivered: {}", what.type().ceType(), what.sequence(),
                what.roomId(), e.toString());
          }
        });
        return;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        // send() waited max.block.ms for metadata or buffer space: wait on, in order.
        log.debug("presence event {} of room {} waits for Kafka: {}", event.type().ceType(), event.roomId(),
            e.toString());
        pause();
      } catch (KafkaException | IllegalStateException e) {
        failed.increment();
        log.error("presence event {} #{} of room {} cannot be sent: {}", what.type().ceType(), what.sequence(),
            what.roomId(), e.toString());
        return;
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops: hands over what is queued if the broker takes it at once, then closes the producer
   * (briefly: a pod that stops must not wait for a broker that is away). Events still queued then
   * are lost; the view converges as the pods that remain expire this pod's parked participants.
   */
  @Override
  public synchronized void close() {
    if (!running) {
      return; // closed already (by the pod's lifecycle, before Redis stops)
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (!queue.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    running = false;
    sender.interrupt();
    try {
      sender.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!queue.isEmpty()) {
      log.warn("stopping: {} presence events not handed to Kafka", queue.size());
    }
    producer.close(Duration.ofSeconds(1));
  }
}
