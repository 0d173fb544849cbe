package io.switchboard.signaling.domain;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes what nobody will: a room whose record is left with no member (its pod died between the
 * last leave and the close), and a placement whose room has no record (the placement release
 * failed). One pod at a time sweeps (a claim in the pod registry); a room is closed only when two
 * looks {@link #CONFIRM_AFTER} apart, each under the room's lock, find it so, with the same
 * pipeline — a room a join has just opened and is entering is never taken for a ghost.
 */
final class RoomSweeper {

  private static final Logger log = LoggerFactory.getLogger(RoomSweeper.class);
  /** A sweep starts this often, on one pod of all. */
  static final Duration INTERVAL = Duration.ofSeconds(60);
  /** Its second look, this long after the first. */
  static final Duration CONFIRM_AFTER = Duration.ofSeconds(20);
  /** The registry claim a sweeping pod holds (not a pod id: those have no '~'). */
  static final String CLAIM = "~room-sweeper";
  private static final String NO_RECORD = "";

  private final RoomStore store;
  private final PlacedRooms placed;
  private final PodRegistry pods;
  private final RoomOpener rooms;
  private final RoomPlacementClient placement;
  private final CallObserver observer;
  private final Clock clock;
  private final String podId;
  private long nextSweep;
  /** Room → what the first look found: its pipeline (a record without members), or NO_RECORD. */
  private Map<String, String> suspects;
  private long confirmAt;

  RoomSweeper(RoomStore store, PlacedRooms placed, PodRegistry pods, RoomOpener rooms, RoomPlacementClient placement,
      CallObserver observer, Clock clock, String podId) {
    this.store = store;
    this.placed = placed;
    this.pods = pods;
    this.rooms = rooms;
    this.placement = placement;
    this.observer = observer;
    this.clock = clock;
    this.podId = podId;
    this.nextSweep = clock.millis() + CONFIRM_AFTER.toMillis();
  }

  /** Called every janitor round: starts a sweep when one is due and confirms one when its time came. */
  void tick() {
    long now = clock.millis();
    if (suspects != null && now >= confirmAt) {
      Map<String, String> first = suspects;
      suspects = null;
      confirm(first);
    }
    if (suspects == null && now >= nextSweep) {
      nextSweep = now + INTERVAL.toMillis();
      if (pods.claim(CLAIM, podId, INTERVAL)) {
        suspects = look();
        confirmAt = now + CONFIRM_AFTER.toMillis();
      }
    }
  }

  /** Placed rooms that look like ghosts now. */
  private Map<String, String> look() {
    Map<String, String> found = new HashMap<>();
    for (String roomId : placed.roomIds()) {
      state(roomId).ifPresent(state -> found.put(roomId, state));
    }
    return found;
  }

  private void confirm(Map<String, String> first) {
    for (Map.Entry<String, String> suspect : first.entrySet()) {
      String roomId = suspect.getKey();
      String owner = podId + "/sweep-" + UUID.randomUUID();
      try {
        if (!store.lockRoom(roomId, owner)) {
          continue; // being opened or rebuilt: alive
        }
        try {
          if (!state(roomId).filter(suspect.getValue()::equals).isPresent()) {
            continue;
          }
          if (NO_RECORD.equals(suspect.getValue())) {
            placement.release(roomId);
            log.warn("room {}: placement held it with no room behind it; released", roomId);
          } else {
            rooms.closeIfEmpty(roomId);
            log.warn("room {}: open with nobody in it (its pod stopped before closing it); closed", roomId);
          }
          observer.ghostRoomSwept();
        } finally {
          store.unlockRoom(roomId, owner);
        }
      } catch (RuntimeException e) {
        log.warn("room {}: sweep failed (the next sweep tries again): {}", roomId, e.toString());
      }
    }
  }

  /** NO_RECORD, the pipeline of a record without members, or empty (a live room). */
  private Optional<String> state(String roomId) {
    Optional<RoomStore.RoomRecord> room = store.room(roomId);
    if (room.isEmpty()) {
      return Optional.of(NO_RECORD);
    }
    return store.members(roomId).isEmpty() ? Optional.of(room.get().pipelineId()) : Optional.empty();
  }
}
