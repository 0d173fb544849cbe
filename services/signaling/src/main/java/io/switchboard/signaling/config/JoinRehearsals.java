package io.switchboard.signaling.config;

import io.switchboard.signaling.domain.GroupCallService;
import io.switchboard.signaling.domain.MediaServer;
import io.switchboard.signaling.domain.MediaWarmup;
import io.switchboard.signaling.domain.PodRegistry;
import io.switchboard.signaling.domain.RehearsalCalls;
import io.switchboard.signaling.domain.RoomEvents;
import io.switchboard.signaling.domain.RoomLimits;
import io.switchboard.signaling.domain.RoomStore;
import io.switchboard.signaling.redis.SignalingKeys;
import io.switchboard.signaling.ws.GroupCallSocketHandler;
import io.switchboard.signaling.ws.JoinRehearsal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A pod's join rehearsal from start to end ({@code join-rehearsal-rooms}): the rehearsal's call
 * service made of the pod's own pieces ({@link RehearsalCalls}), its rooms joined, negotiated and
 * left over the pod's own port ({@link JoinRehearsal}), the service closed once its KMS releases
 * are done, and what the join and leave scripts numbered (each room's presence sequence) deleted —
 * so that nothing of it is left in Redis or on KMS. Best effort: what goes wrong is logged.
 */
public final class JoinRehearsals {

  /** Participants in each room (a room of five negotiates 25 streams). */
  public static final int ROOM_SIZE = 5;

  private static final Logger log = LoggerFactory.getLogger(JoinRehearsals.class);

  private final GroupCallSocketHandler sockets;
  private final GroupCallService calls;
  private final RoomStore store;
  private final PodRegistry pods;
  private final MediaServer media;
  private final RoomEvents events;
  private final Clock clock;
  private final StringRedisTemplate redis;
  private final String recordingUri;

  /** The pod's own pieces; {@code calls} is the pod's call service (its pod id is the rehearsal's). */
  public JoinRehearsals(GroupCallSocketHandler sockets, GroupCallService calls, RoomStore store, PodRegistry pods,
      MediaServer media, RoomEvents events, Clock clock, StringRedisTemplate redis, String recordingUri) {
    this.sockets = sockets;
    this.calls = calls;
    this.store = store;
    this.pods = pods;
    this.media = media;
    this.events = events;
    this.clock = clock;
    this.redis = redis;
    this.recordingUri = recordingUri;
  }

  /** {@code rooms} rooms of {@link #ROOM_SIZE} on {@code kmsUrl}, over sockets to {@code uri}. */
  public JoinRehearsal.Outcome run(URI uri, String kmsUrl, int rooms) {
    GroupCallService rehearsal = RehearsalCalls.create(store, pods, media, events, clock, calls.podId(), kmsUrl,
        new RoomLimits(ROOM_SIZE, true, false, recordingUri));
    JoinRehearsal.Outcome outcome;
    try {
      outcome = JoinRehearsal.rehearse(sockets, rehearsal, uri, rooms, ROOM_SIZE, MediaWarmup.rehearsalOffer());
    } finally {
      rehearsal.closeUnstarted(Duration.ofSeconds(5));
    }
    for (String roomId : outcome.roomIds()) {
      try {
        RehearsalCalls.removeLeftovers(store, media, roomId);
        redis.delete(SignalingKeys.roomSequence(roomId));
      } catch (RuntimeException e) {
        log.warn("join rehearsal: room {} not cleaned up: {}", roomId, e.toString());
      }
    }
    return outcome;
  }

  /**
   * Waits until the JIT has compiled what the rehearsals queued — less than 10 ms of compiler time
   * in each of three 100 ms looks — or {@code atMost} passed, so that those compilations do not
   * compete with the first burst for the cores.
   */
  public static void awaitQuietCompiler(Duration atMost) {
    java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return;
    }
    long started = System.nanoTime();
    long deadline = started + atMost.toNanos();
    long before = jit.getTotalCompilationTime();
    long last = before;
    int quiet = 0;
    try {
      while (quiet < 3 && System.nanoTime() < deadline) {
        Thread.sleep(100);
        long now = jit.getTotalCompilationTime();
        quiet = now - last < 10 ? quiet + 1 : 0;
        last = now;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("compiler {} after {} ms ({} ms of compilation meanwhile)", quiet >= 3 ? "quiet" : "still busy",
        java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), last - before);
  }
}
