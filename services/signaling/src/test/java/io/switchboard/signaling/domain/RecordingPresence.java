package io.switchboard.signaling.domain;

import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link PresenceFeed} that keeps every event published, in order; thread-safe. */
public final class RecordingPresence implements PresenceFeed {

  private final List<PresenceEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void publish(PresenceEvent event) {
    events.add(event);
  }

  /** Every event, in publishing order. */
  public List<PresenceEvent> events() {
    return List.copyOf(events);
  }

  /** The events of one type, in publishing order. */
  public List<PresenceEvent> events(PresenceType type) {
    return events.stream().filter(e -> e.type() == type).toList();
  }

  /** The events' types, in publishing order. */
  public List<PresenceType> types() {
    return events.stream().map(PresenceEvent::type).toList();
  }

  public void clear() {
    events.clear();
  }
}
