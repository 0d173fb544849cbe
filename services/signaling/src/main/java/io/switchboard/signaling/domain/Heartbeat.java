package io.switchboard.signaling.domain;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This pod's heartbeat in the {@link PodRegistry}, on its own thread ({@code signaling-heartbeat})
 * so that no slow Redis, KMS or lock elsewhere makes the pod look dead; withdrawn when it stops.
 */
final class Heartbeat implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  private final PodRegistry pods;
  private final Parking parking;
  private final LocalRooms local;
  private final CallObserver observer;
  private final String podId;
  private final Duration interval;
  private final Duration timeout;
  private final Duration resumeGrace;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "signaling-heartbeat");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean beaten;

  Heartbeat(PodRegistry pods, Parking parking, LocalRooms local, CallObserver observer, String podId,
      Duration interval, Duration timeout, Duration resumeGrace) {
    this.pods = pods;
    this.parking = parking;
    this.local = local;
    this.observer = observer;
    this.podId = podId;
    this.interval = interval;
    this.timeout = timeout;
    this.resumeGrace = resumeGrace;
  }

  void start() {
    thread.scheduleWithFixedDelay(() -> {
      try {
        beat();
      } catch (RuntimeException e) {
        log.warn("heartbeat failed: {}", e.toString());
      }
    }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One beat; the first parks what an earlier run of this pod left, one after a lapse reclaims. */
  void beat() {
    boolean wasAlive = pods.beat(podId, timeout);
    if (!beaten) {
      // A pod restarted under the same name (a container restart keeps the pod's name) beats
      // before anyone saw its earlier self die: the participants that one served are parked here.
      int parked = parking.parkMembersOf(podId, parking.deadline());
      if (parked > 0) {
        log.warn("{} participants of this pod's earlier run wait {} for a resume", parked, resumeGrace);
        observer.adoptedDeadPod(parked);
      }
    } else if (!wasAlive) {
      // Our beat lapsed (a long pause, or Redis was away): other pods may have parked our
      // participants. Those still connected here are reclaimed.
      log.warn("this pod's heartbeat lapsed; reclaiming its participants");
      local.where(p -> true).forEach(parking::reclaim);
    }
    beaten = true;
  }

  /** Stops beating and withdraws the beat, so other pods take this pod's participants over at once. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      // A beat under way must not bring the key back after it is withdrawn.
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      pods.retire(podId);
    } catch (RuntimeException e) {
      log.warn("could not withdraw this pod's heartbeat: {}", e.toString());
    }
  }
}
