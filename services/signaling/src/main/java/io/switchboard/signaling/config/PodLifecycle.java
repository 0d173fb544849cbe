package io.switchboard.signaling.config;

import io.switchboard.signaling.domain.GroupCallService;
import io.switchboard.signaling.domain.MediaWarmup;
import io.switchboard.signaling.domain.NodeLosses;
import io.switchboard.signaling.ws.GroupCallSocketHandler;
import java.time.Duration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * How a signaling pod starts and stops, in phase order (a higher phase stops earlier).
 *
 * <ol>
 *   <li>{@link Drain} stops first, before the web server's graceful shutdown: the pod turns
 *       not-ready, tells every socket to reconnect and closes those left with 1012; each close
 *       parks its participant in Redis, so it can resume on another pod. Media is not touched.
 *   <li>The web server stops.
 *   <li>{@link CallService} stops: no more heartbeats, and the beat is withdrawn so other pods take
 *       over this pod's parked participants at once.
 *   <li>Redis's connection factory stops (phase 0), last.
 * </ol>
 */
final class PodLifecycle {

  private PodLifecycle() {}

  /** Before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}). */
  static final class Drain implements SmartLifecycle {
    private final ApplicationEventPublisher events;
    private final GroupCallSocketHandler sockets;
    private final Duration grace;
    private volatile boolean running;

    Drain(ApplicationEventPublisher events, GroupCallSocketHandler sockets, Duration grace) {
      this.events = events;
      this.sockets = sockets;
      this.grace = grace;
    }

    @Override
    public void start() {
      running = true;
    }

    @Override
    public void stop() {
      running = false;
      AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
      sockets.drain(grace);
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public int getPhase() {
      return DEFAULT_PHASE - 512;
    }
  }

  /**
   * The KMS warm-up, the call service's background work (heartbeat, janitor, rebuilds) and the
   * reader of placement's node announcements: started before the web server (so the pod turns
   * ready only once its KMS sessions are open, or the warm-up's deadline passed), stopped after
   * it, before Redis's connection factory (phase 0) stops.
   */
  static final class CallService implements SmartLifecycle {
    private final GroupCallService calls;
    private final NodeLosses losses;
    private final AutoCloseable presence;
    private final MediaWarmup warmup;
    private final Duration warmupTimeout;
    private final Runnable codecRehearsal;
    private volatile boolean running;

    /** {@code presence} (may be null) closes here too: its events are numbered in Redis, which stops next. */
    CallService(GroupCallService calls, NodeLosses losses, AutoCloseable presence, MediaWarmup warmup,
        Duration warmupTimeout, Runnable codecRehearsal) {
      this.codecRehearsal = codecRehearsal;
      this.calls = calls;
      this.losses = losses;
      this.presence = presence;
      this.warmup = warmup;
      this.warmupTimeout = warmupTimeout;
    }

    @Override
    public void start() {
      codecRehearsal.run();
      warmup.warm(warmupTimeout);
      calls.start();
      losses.start(calls::nodeLost);
      running = true;
    }

    @Override
    public void stop() {
      running = false;
      warmup.close();
      losses.close();
      calls.close();
      if (presence != null) {
        try {
          presence.close();
        } catch (Exception e) {
          org.slf4j.LoggerFactory.getLogger(PodLifecycle.class).warn("presence feed did not close: {}", e.toString());
        }
      }
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public int getPhase() {
      return 1024;
    }
  }
}
