package io.switchboard.signaling.domain;

import io.switchboard.signaling.domain.RoomEvents.RoomEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Redis pub/sub in memory: the channel every pod's {@link InMemoryRoomEvents} ({@link #forPod})
 * publishes to. An event goes to every pod that follows its room when it is published (the
 * publisher too), delivered on this bus's one delivery thread, in publish order. A listener that
 * throws does not stop delivery (RedisRoomEvents logs it): its failure is kept ({@link #failures}).
 *
 * <p>Tests call {@link #settle} to wait until what was published has been delivered (never from a
 * listener), and {@link #close} at the end.
 */
public final class RoomEventBus implements AutoCloseable {

  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(10);

  private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "room-event-bus");
    t.setDaemon(true);
    return t;
  });
  /** Room → pod → its listener, pods in the order they followed. Guarded by this. */
  private final Map<String, Map<InMemoryRoomEvents, Consumer<RoomEvent>>> followers = new HashMap<>();
  /** Room → every event published, in order. Guarded by this. */
  private final Map<String, List<RoomEvent>> published = new HashMap<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private long publishedCount;
  private long deliveredCount;
  private boolean closed;
  private volatile Thread deliveryThread;

  /** A new pod's room events on this bus. */
  public InMemoryRoomEvents forPod() {
    return new InMemoryRoomEvents(this);
  }

  synchronized void follow(InMemoryRoomEvents pod, String roomId, Consumer<RoomEvent> listener) {
    followers.computeIfAbsent(roomId, r -> new LinkedHashMap<>()).put(pod, listener);
  }

  synchronized void unfollow(InMemoryRoomEvents pod, String roomId) {
    Map<InMemoryRoomEvents, Consumer<RoomEvent>> pods = followers.get(roomId);
    if (pods != null) {
      pods.remove(pod);
      if (pods.isEmpty()) {
        followers.remove(roomId);
      }
    }
  }

  synchronized boolean follows(InMemoryRoomEvents pod, String roomId) {
    return followers.getOrDefault(roomId, Map.of()).containsKey(pod);
  }

  /** Queues the event for every pod following the room now; after {@link #close}, drops it. */
  synchronized void publish(String roomId, RoomEvent event) {
    if (closed) {
      return;
    }
    published.computeIfAbsent(roomId, r -> new ArrayList<>()).add(event);
    List<Consumer<RoomEvent>> listeners = List.copyOf(followers.getOrDefault(roomId, Map.of()).values());
    publishedCount++;
    delivery.execute(() -> deliver(event, listeners));
  }

  private void deliver(RoomEvent event, List<Consumer<RoomEvent>> listeners) {
    deliveryThread = Thread.currentThread();
    try {
      for (Consumer<RoomEvent> listener : listeners) {
        try {
          listener.accept(event);
        } catch (RuntimeException | AssertionError e) {
          failures.add(e);
        }
      }
    } finally {
      synchronized (this) {
        deliveredCount++;
        notifyAll();
      }
    }
  }

  /**
   * Waits until every event published so far has been delivered, and every event those
   * deliveries published in turn: until the bus is idle. Fails after ten seconds; returns at once
   * once the bus is closed.
   */
  public synchronized void settle() {
    if (Thread.currentThread() == deliveryThread) {
      throw new IllegalStateException("settle() from a listener would wait for itself");
    }
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    while (!closed && deliveredCount < publishedCount) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("room events not delivered within " + SETTLE_TIMEOUT + ": "
            + (publishedCount - deliveredCount) + " left");
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while settling", e);
      }
    }
  }

  /** Every event published in a room, in publish order (delivered or not). */
  public synchronized List<RoomEvent> published(String roomId) {
    return List.copyOf(published.getOrDefault(roomId, List.of()));
  }

  /** What listeners threw, in order. */
  public List<Throwable> failures() {
    return List.copyOf(failures);
  }

  /** Stops delivering: what is still queued is dropped, later events too. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    delivery.shutdownNow();
  }
}
