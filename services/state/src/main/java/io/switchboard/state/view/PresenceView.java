package io.switchboard.state.view;

import io.switchboard.presence.PresenceEvent;
import java.util.List;
import java.util.Map;
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
   * Where the view stands in each partition of the topic: the offset of the last record it took
   * in, written in the same step as the record's effect (so a restored or wiped Redis and the view
   * in it always agree). A partition it has none for is read from the start.
   */
  Map<Integer, Long> positions();

  /** Notes a record that changed nothing (one that was dead-lettered, say) as taken in. */
  void taken(int partition, long offset);

  /** Applies an event exactly once in effect: atomically, and only once per event id. */
  Outcome apply(PresenceEvent event);

  /** An event and where it was in the topic. */
  record Positioned(PresenceEvent event, int partition, long offset) {}

  /**
   * Applies events in order, each as {@link #apply} does and with its position, in one round trip
   * where it can.
   */
  List<Outcome> applyAll(List<Positioned> events);

  /**
   * Closes every open room the view has heard nothing of since {@code cutoffMillis} (event time):
   * its members leave and it closes, in the change stream too. Returns the rooms it closed.
   */
  List<String> expireSilentRooms(long cutoffMillis, long nowMillis);

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
