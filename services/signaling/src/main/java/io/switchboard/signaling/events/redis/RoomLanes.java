package io.switchboard.signaling.events.redis;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each room's tasks one after another, in the order given, and different rooms' side by side
 * on a small pool: a room whose deliveries are slow (a KMS node that hangs, a chat flood) holds up
 * that room only. Tasks marked droppable (chat) wait at most {@code droppableCapacity} per room;
 * beyond that they are dropped, so a flood cannot pile up without bound. The others (who joined,
 * left, moved) are never dropped: they are as few as the room's membership changes.
 */
final class RoomLanes implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RoomLanes.class);

  private record Task(Runnable work, boolean droppable) {}

  /** One room's waiting tasks; only touched inside {@link ConcurrentHashMap#compute} of its key. */
  private static final class Lane {
    final ArrayDeque<Task> tasks = new ArrayDeque<>();
    int droppable;
    boolean scheduled;
  }

  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
  private final ExecutorService pool;
  private final int droppableCapacity;

  RoomLanes(int threads, int droppableCapacity) {
    this.droppableCapacity = droppableCapacity;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "room-events-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Queues {@code work} behind the room's earlier tasks; false when it was droppable and dropped. */
  boolean submit(String room, Runnable work, boolean droppable) {
    boolean[] start = {false};
    boolean[] dropped = {false};
    lanes.compute(room, (key, lane) -> {
      Lane l = lane == null ? new Lane() : lane;
      if (droppable && l.droppable >= droppableCapacity) {
        dropped[0] = true;
        return lane; // unchanged (null stays null: nothing waits)
      }
      l.tasks.add(new Task(work, droppable));
      if (droppable) {
        l.droppable++;
      }
      if (!l.scheduled) {
        l.scheduled = true;
        start[0] = true;
      }
      return l;
    });
    if (start[0]) {
      try {
        pool.execute(() -> drain(room));
      } catch (RejectedExecutionException closing) {
        lanes.remove(room);
      }
    }
    return !dropped[0];
  }

  private void drain(String room) {
    while (true) {
      Task[] next = {null};
      lanes.compute(room, (key, lane) -> {
        if (lane == null) {
          return null;
        }
        Task t = lane.tasks.poll();
        if (t == null) {
          return null; // done: the lane goes, and the next task starts a new one
        }
        if (t.droppable()) {
          lane.droppable--;
        }
        next[0] = t;
        return lane;
      });
      if (next[0] == null) {
        return;
      }
      try {
        next[0].work().run();
      } catch (RuntimeException e) {
        log.warn("a room event of {} failed: {}", room, e.toString());
      }
    }
  }

  /** Tasks waiting, over every room (for tests and the meter). */
  int waiting() {
    int[] sum = {0};
    lanes.keySet().forEach(room -> lanes.computeIfPresent(room, (k, lane) -> {
      sum[0] += lane.tasks.size();
      return lane;
    }));
    return sum[0];
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
