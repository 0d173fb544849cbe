package io.switchboard.state.view;

import io.switchboard.presence.PresenceEvent;
import java.util.List;
import java.util.Optional;

/** The view of presence the state service keeps (Redis, in production). */
public interface PresenceView {

  /** What applying an event did. */
  enum Outcome {
    /** Applied, the next of its room. */
    APPLIED,
    /** Applied, but events of its room before it have not come (yet: they may be late). */
    APPLIED_AFTER_GAP,
    /** Applied, after a later event of its room (two pods' events crossed): nothing it touches was newer. */
    APPLIED_OUT_OF_ORDER,
    /** Seen before (by id): nothing changed. */
    DUPLICATE,
    /** Older than what the view shows of the participant (or room) it is about: nothing changed. */
    STALE
  }

  /**
   * Whether the view is the one built so far: false when it was never built, or was wiped (its
   * marker is gone), and must be rebuilt from the start of the topic.
   */
  boolean intact();

  /** Marks the view as being built from the start of the topic. */
  void markBuilding();

  /** Applies an event exactly once in effect: atomically, and only once per event id. */
  Outcome apply(PresenceEvent event);

  /** Applies events in order, each as {@link #apply} does, in one round trip where it can. */
  default java.util.List<Outcome> applyAll(java.util.List<PresenceEvent> events) {
    return events.stream().map(this::apply).toList();
  }

  record Participant(String name, String identity, boolean audio, boolean video, long joinedAt, String state) {}

  /** A room; {@code name} is what people typed (its id may be derived from it), when known. */
  record Room(String roomId, String name, String kmsNode, long openedAt, long sequence,
      List<Participant> participants) {}

  record RoomSummary(String roomId, String name, String kmsNode, long openedAt, int participants) {}

  record InRoom(String roomId, String participant, String state, long since) {}

  record Presence(String identity, List<InRoom> rooms, long lastSeen) {}

  List<RoomSummary> rooms();

  Optional<Room> room(String roomId);

  Presence presence(String identity);
}
