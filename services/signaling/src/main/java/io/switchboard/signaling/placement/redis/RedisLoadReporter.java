package io.switchboard.signaling.placement.redis;

import io.switchboard.placement.contract.LoadReport;
import io.switchboard.signaling.domain.LoadReporter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Runs placement's load-report script (by SHA), off the caller's thread: reports are queued and
 * sent by one thread ({@code load-reports}), and the reports of one room and node that queued up
 * while it was sending are added together into one. A join or an offer never waits for placement's
 * bookkeeping, and a burst of joins into a room costs a few reports, not one per endpoint. A failed
 * report is logged: placement's reconciliation catches up.
 */
public final class RedisLoadReporter implements LoadReporter, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisLoadReporter.class);
  private static final RedisScript<String> REPORT = RedisScript.of(LoadReport.SCRIPT, String.class);

  private record Target(String roomId, String nodeId) {}

  private final StringRedisTemplate redis;
  /** Deltas not sent yet: endpoints, participants. Guarded by this. */
  private final Map<Target, int[]> queued = new LinkedHashMap<>();
  /** Whether a send of {@link #queued} is on its way. Guarded by this. */
  private boolean sending;
  private final ExecutorService sender;

  public RedisLoadReporter(StringRedisTemplate redis) {
    this(redis, Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "load-reports");
      t.setDaemon(true);
      return t;
    }));
  }

  /** With the executor that sends (one thread: reports of a room must not overtake each other). */
  RedisLoadReporter(StringRedisTemplate redis, ExecutorService sender) {
    this.redis = redis;
    this.sender = sender;
  }

  @Override
  public void report(String roomId, String nodeId, int endpointDelta, int participantDelta) {
    synchronized (this) {
      int[] delta = queued.computeIfAbsent(new Target(roomId, nodeId), t -> new int[2]);
      delta[0] += endpointDelta;
      delta[1] += participantDelta;
      if (sending) {
        return;
      }
      sending = true;
    }
    try {
      sender.execute(this::sendQueued);
    } catch (RejectedExecutionException stopping) {
      sendQueued(); // closing: sent on the caller's thread rather than lost
    }
  }

  /** Sends every report queued so far, one per room and node. */
  void sendQueued() {
    Map<Target, int[]> batch;
    synchronized (this) {
      batch = new LinkedHashMap<>(queued);
      queued.clear();
      sending = false;
    }
    batch.forEach((target, delta) -> {
      if (delta[0] != 0 || delta[1] != 0) {
        send(target, delta[0], delta[1]);
      }
    });
  }

  private void send(Target target, int endpointDelta, int participantDelta) {
    try {
      String answer = redis.execute(REPORT, LoadReport.keys(target.roomId()),
          LoadReport.args(target.roomId(), target.nodeId(), endpointDelta, participantDelta).toArray(Object[]::new));
      if (!"ok".equals(answer)) {
        log.debug("load report for room {} on {}: {}", target.roomId(), target.nodeId(), answer);
      }
    } catch (RuntimeException e) {
      log.warn("load report for room {} failed: {}", target.roomId(), e.toString());
    }
  }

  /** Sends what is queued, then stops the sending thread. */
  @Override
  public void close() {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("load reports still sending after 5 s; the rest is left to placement's reconciliation");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sendQueued();
  }
}
