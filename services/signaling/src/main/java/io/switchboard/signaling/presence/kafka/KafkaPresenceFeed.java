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
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence events to Kafka, off the critical path: {@link #publish} numbers each event in its room
 * ({@link RoomSequences}, one Redis INCR; a join or a leave comes numbered by the store's step that
 * made it) and queues it (bounded; a full queue drops, counted), and one sender thread hands them
 * to an idempotent, acks=all producer, in order. While the broker is away the producer retries
 * what it was given (up to its delivery timeout) and the sender waits in send() for the broker's
 * metadata, so the events behind stay queued in order and go out when it returns; signaling never
 * waits for Kafka.
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

  /**
   * How long Kafka may keep an event unanswered (in send(), waiting for metadata, or sent and not
   * acknowledged) before it counts as unreachable ({@code switchboard.presence.unanswered-after}).
   */
  private final Duration unanswered;
  private final LongSupplier nanoTime;
  /** Events handed to the producer and not yet answered (acknowledged or failed), and since when the oldest waits. */
  private final AtomicLong waiting = new AtomicLong();
  private volatile long waitingSince;
  private volatile long lastAnswerAt;
  /** When Kafka was found unreachable (nanoTime), or 0 while it is reachable. Changed by {@link #checkReachability} only. */
  private volatile long unreachableSince;
  private final ScheduledExecutorService watch;

  public KafkaPresenceFeed(Producer<String, CloudEvent> producer, RoomSequences sequences, int capacity,
      Duration unanswered, MeterRegistry registry) {
    this(producer, sequences, capacity, unanswered, registry, System::nanoTime, true);
  }

  /**
   * With the clock reachability is judged by; {@code watching} false: {@link #checkReachability}
   * is not run on a timer (tests run it).
   */
  KafkaPresenceFeed(Producer<String, CloudEvent> producer, RoomSequences sequences, int capacity,
      Duration unanswered, MeterRegistry registry, LongSupplier nanoTime, boolean watching) {
    this.unanswered = unanswered;
    this.nanoTime = nanoTime;
    this.lastAnswerAt = nanoTime.getAsLong();
    Gauge.builder("switchboard.signaling.presence.kafka.reachable", this, f -> f.kafkaReachable() ? 1 : 0)
        .description("1 while Kafka answers the pod's presence events, 0 while it has left one unanswered for "
            + unanswered.toSeconds() + " s").register(registry);
    this.watch = watching ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "presence-watch");
      t.setDaemon(true);
      return t;
    }) : null;
    if (watch != null) {
      watch.scheduleWithFixedDelay(this::checkReachability, 1, 1, TimeUnit.SECONDS);
    }
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
    if (event.sequence() == 0) {
      // Numbered as it is queued, so the room's events go out in the order of their numbers: a
      // join's or leave's number was taken with the change itself, and those of the changes
      // before it must be lower (one INCR). Redis away: numbered by the sender when it returns.
      try {
        event = event.withSequence(sequences.next(event.roomId()));
      } catch (RuntimeException e) {
        log.debug("presence event {} of room {} numbered later: {}", event.type().ceType(), event.roomId(), e.toString());
      }
    }
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
          // Numbered when queued, unless Redis was away then.
          numbered = event.sequence() > 0 ? event : event.withSequence(sequences.next(event.roomId()));
        } catch (RuntimeException e) {
          log.debug("presence event {} of room {} waits for its number: {}", event.type().ceType(), event.roomId(),
              e.toString());
          pause(); // Redis away: the same event again, in order
          continue;
        }
      }
      PresenceEvent what = numbered;
      waitingFor();
      try {
        producer.send(PresenceContract.record(numbered), (metadata, e) -> {
          answered(e == null);
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
        answered(false);
        // send() waited max.block.ms for metadata or buffer space: wait on, in order.
        log.debug("presence event {} of room {} waits for Kafka: {}", event.type().ceType(), event.roomId(),
            e.toString());
        pause();
      } catch (KafkaException | IllegalStateException e) {
        answered(false);
        failed.increment();
        log.error("presence event {} #{} of room {} cannot be sent: {}", what.type().ceType(), what.sequence(),
            what.roomId(), e.toString());
        return;
      }
    }
  }

  private void waitingFor() {
    if (waiting.getAndIncrement() == 0) {
      waitingSince = nanoTime.getAsLong();
    }
  }

  /** An event handed over was answered: acknowledged ({@code delivered}), or given up on. */
  private void answered(boolean delivered) {
    long now = nanoTime.getAsLong();
    if (delivered) {
      lastAnswerAt = now;
    }
    if (waiting.decrementAndGet() > 0) {
      waitingSince = now; // the next one waits from now on
    }
  }

  /** Whether Kafka answers: false once it has left an event unanswered for {@code switchboard.presence.unanswered-after}. */
  public boolean kafkaReachable() {
    return unreachableSince == 0;
  }

  /** How long Kafka has been unreachable, or zero. */
  public Duration unreachableFor() {
    long since = unreachableSince;
    return since == 0 ? Duration.ZERO : Duration.ofNanos(nanoTime.getAsLong() - since);
  }

  public int queued() {
    return queue.size();
  }

  /**
   * Judges whether Kafka answers and says so once when that changes — not once per connection
   * attempt, as the Kafka client would every second (its NetworkClient logs only errors here).
   */
  void checkReachability() {
    long now = nanoTime.getAsLong();
    boolean stuck = waiting.get() > 0 && now - Math.max(waitingSince, lastAnswerAt) > unanswered.toNanos();
    if (stuck && unreachableSince == 0) {
      unreachableSince = now - unanswered.toNanos();
      log.warn("Kafka does not answer (an event unanswered for {} s): presence events wait, in order, {} queued; "
          + "the pod serves on", unanswered.toSeconds(), queue.size());
    } else if (unreachableSince != 0 && lastAnswerAt > unreachableSince) {
      log.info("Kafka answers again after {} s; {} presence events queued",
          TimeUnit.NANOSECONDS.toSeconds(now - unreachableSince), queue.size());
      unreachableSince = 0;
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
    if (watch != null) {
      watch.shutdownNow();
    }
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
