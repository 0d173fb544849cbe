package io.switchboard.state.consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.state.view.PresenceView;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes, in the view, rooms nothing has been heard of for {@code switchboard.state.room-expiry}:
 * their last events were lost with the signaling pod that would have sent them, and no pod has
 * them open (an open room's snapshot comes every sweep, once a minute). It waits until this
 * replica has read to the end of its partitions: one still catching up on a backlog has not heard
 * of live rooms yet.
 */
public final class RoomExpiry {

  private static final Logger log = LoggerFactory.getLogger(RoomExpiry.class);

  private final PresenceView view;
  private final PresenceListener listener;
  private final Duration expiry;
  private final Clock clock;
  private final Counter expired;

  /** {@code expiry} zero turns it off. */
  public RoomExpiry(PresenceView view, PresenceListener listener, Duration expiry, Clock clock, MeterRegistry registry) {
    this.view = view;
    this.listener = listener;
    this.expiry = expiry;
    this.clock = clock;
    this.expired = Counter.builder("switchboard.state.rooms.expired")
        .description("Rooms the view closed because nothing was heard of them for switchboard.state.room-expiry")
        .register(registry);
  }

  /** One look; returns the rooms it closed. */
  @org.springframework.scheduling.annotation.Scheduled(fixedDelayString = "${switchboard.state.room-expiry-check:30s}",
      initialDelayString = "${switchboard.state.room-expiry-check:30s}")
  public List<String> expire() {
    if (expiry.isZero() || !listener.caughtUp()) {
      return List.of();
    }
    try {
      long now = clock.millis();
      List<String> rooms = view.expireSilentRooms(now - expiry.toMillis(), now);
      if (!rooms.isEmpty()) {
        expired.increment(rooms.size());
        log.warn("closed {} room(s) nothing was heard of for {} (their pod stopped before it told): {}", rooms.size(),
            expiry, rooms.size() > 20 ? rooms.subList(0, 20) + " …" : rooms);
      }
      return rooms;
    } catch (RuntimeException e) {
      log.warn("room expiry failed (tried again at the next look): {}", e.toString());
      return List.of();
    }
  }
}
