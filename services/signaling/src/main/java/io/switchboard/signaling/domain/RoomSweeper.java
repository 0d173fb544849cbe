package io.switchboard.signaling.domain;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes what nobody will: a room whose record is left with no member (its pod died between the
 * last leave and the close), and a placement whose room has no record (the placement release
 * failed). One pod at a time sweeps (a claim in the pod registry); a room is closed only when two
 * looks {@link #CONFIRM_AFTER} apart, each under the room's lock, find it so, with the same
 * pipeline — a room a join has just opened and is entering is never taken for a ghost.
 *
 * <p>Its first look also publishes each open room's presence snapshot (docs/events.md): who is in
 * it as Redis holds them, numbered in the same step, so the state service's view makes good the
 * events a pod that died never sent, and hears of every live room at least once a sweep.
 */
final class RoomSweeper {

  private static final Logger log = LoggerFactory.getLogger(RoomSweeper.class);
  /** A sweep starts this often, on one pod of all (switchboard.signaling.sweep-interval; at least 30 s). */
  static final Duration INTERVAL = Duration.ofSeconds(60);
  /** Its second look, this long after the first. */
  static final Duration CONFIRM_AFTER = Duration.ofSeconds(20);
  /**
   * A sweeping pod's claim holds this much less than the interval, so the next sweep, on whichever
   * pod, is not held off by the claim of the last one lapsing just after it (a sweep a minute, not
   * every other minute: the snapshots are how the state service hears of live rooms).
   */
  static final Duration CLAIM_SHORTER_BY = Duration.ofSeconds(10);
  /** The registry claim a sweeping pod holds (not a pod id: those have no '~'). */
  static final String CLAIM = "~room-sweeper";
  private static final String NO_RECORD = "";

  private final RoomStore store;
  private final PlacedRooms placed;
  private final PodRegistry pods;
  private final RoomOpener rooms;
  private final RoomPlacementClient placement;
  private final CallObserver observer;
  private final PresenceNotes presence;
  private final Clock clock;
  private final String podId;
  private final Duration interval;
  private long nextSweep;
  /** Room → what the first look found: its pipeline (a record without members), or NO_RECORD. */
  private Map<String, String> suspects;
  private long confirmAt;

  RoomSweeper(RoomStore store, PlacedRooms placed, PodRegistry pods, RoomOpener rooms, RoomPlacementClient placement,
      CallObserver observer, PresenceNotes presence, Clock clock, String podId, Duration interval) {
    this.store = store;
    this.placed = placed;
    this.pods = pods;
    this.rooms = rooms;
    this.placement = placement;
    this.observer = observer;
    this.presence = presence;
    this.clock = clock;
    this.podId = podId;
    this.interval = interval;
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
      nextSweep = now + interval.toMillis();
      if (pods.claim(CLAIM, podId, interval.minus(CLAIM_SHORTER_BY))) {
        suspects = look();
        confirmAt = now + CONFIRM_AFTER.toMillis();
      }
    }
  }

  /** Placed rooms that look like ghosts now; every open one's snapshot is published on the way. */
  private Map<String, String> look() {
    Map<String, String> found = new HashMap<>();
    for (String roomId : placed.roomIds()) {
      try {
        Optional<RoomStore.Snapshot> snapshot = store.snapshot(roomId);
        if (snapshot.isEmpty()) {
          found.put(roomId, NO_RECORD);
          continue;
        }
        presence.snapshot(roomId, snapshot.get());
        if (snapshot.get().members().isEmpty()) {
          found.put(roomId, snapshot.get().room().pipelineId());
        }
      } catch (RuntimeException e) {
        log.warn("room {}: could not be looked at (the next sweep tries again): {}", roomId, e.toString());
      }
    }
    return found;
  }

  private void confirm(Map<String, String> first) {
    for (Map.Entry<String, String> suspect : first.entrySet()) {
      String roomId = suspect.getKey();
      String owner = podId + "/sweep-" + Ids.fresh();
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
