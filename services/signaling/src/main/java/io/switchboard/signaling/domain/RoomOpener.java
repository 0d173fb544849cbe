package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.presence.PresenceType;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a room on its first join (placement, then a pipeline on the chosen node), once across all
 * pods, and closes it when its last member left.
 */
final class RoomOpener {

  private static final Logger log = LoggerFactory.getLogger(RoomOpener.class);
  /** How long a join waits for the room another caller is opening. */
  static final Duration CREATION_WAIT = Duration.ofSeconds(15);
  private static final Duration POLL = Duration.ofMillis(20);

  /** How a caller waits between looks at the store (tests pass one that moves their clock). */
  interface Pause {
    void pause(Duration duration);

    Pause SLEEP = duration -> {
      try {
        Thread.sleep(duration.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  private final RoomStore store;
  private final RoomPlacementClient placement;
  private final MediaServer media;
  private final MediaCleanup cleanup;
  private final PresenceNotes presence;
  private final Clock clock;
  private final Pause pause;
  private final String podId;
  private final int expectedParticipants;
  /** Rooms one opener (identity or client address) may have open at once; 0: no cap. */
  private final int maxOpenPerClient;
  /** Rooms a join on this pod is opening (or waiting for another pod to open) now. */
  private final Map<String, CompletableFuture<RoomStore.RoomRecord>> opening = new ConcurrentHashMap<>();

  RoomOpener(RoomStore store, RoomPlacementClient placement, MediaServer media, MediaCleanup cleanup,
      PresenceNotes presence, Clock clock, Pause pause, String podId, int expectedParticipants) {
    this(store, placement, media, cleanup, presence, clock, pause, podId, expectedParticipants, 0);
  }

  RoomOpener(RoomStore store, RoomPlacementClient placement, MediaServer media, MediaCleanup cleanup,
      PresenceNotes presence, Clock clock, Pause pause, String podId, int expectedParticipants, int maxOpenPerClient) {
    if (maxOpenPerClient < 0) {
      throw new IllegalArgumentException("max-open-rooms-per-client must be 0 (no cap) or more: " + maxOpenPerClient);
    }
    this.maxOpenPerClient = maxOpenPerClient;
    this.store = store;
    this.placement = placement;
    this.media = media;
    this.cleanup = cleanup;
    this.presence = presence;
    this.clock = clock;
    this.pause = pause;
    this.podId = podId;
    this.expectedParticipants = expectedParticipants;
  }

  /**
   * The room's record, creating it when this is the room's first join. Creation is atomic across
   * pods: one caller holds the room's creation lock in the store and creates; the others wait for
   * its record, so two first joins never make two pipelines.
   */
  RoomStore.RoomRecord open(String roomId, String roomName, String requestId) {
    return open(roomId, roomName, requestId, null);
  }

  /**
   * The same for a join from {@code opener} ({@link ClientChannel#opener()}; null: not counted):
   * when the join would open the room, the room counts among the opener's open rooms until it
   * closes, and is not opened (TOO_MANY_ROOMS) when the opener has max-open-rooms-per-client.
   */
  RoomStore.RoomRecord open(String roomId, String roomName, String requestId, String opener) {
    Optional<RoomStore.RoomRecord> existing = store.room(roomId);
    if (existing.isPresent()) {
      return existing.get();
    }
    // Joins of one room on this pod open it together: one of them asks the store, placement and
    // KMS; the others wait for its answer instead of polling the store each.
    CompletableFuture<RoomStore.RoomRecord> mine = new CompletableFuture<>();
    CompletableFuture<RoomStore.RoomRecord> theirs = opening.putIfAbsent(roomId, mine);
    if (theirs != null) {
      return awaitOpening(theirs, roomId, requestId);
    }
    try {
      RoomStore.RoomRecord room = openOrAwait(roomId, roomName, requestId,
          maxOpenPerClient > 0 ? opener : null);
      mine.complete(room);
      return room;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      opening.remove(roomId, mine);
    }
  }

  private RoomStore.RoomRecord awaitOpening(CompletableFuture<RoomStore.RoomRecord> opened, String roomId,
      String requestId) {
    try {
      return opened.get(2 * CREATION_WAIT.toMillis(), TimeUnit.MILLISECONDS); // the opener gives up after one
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ProtocolException refused) {
        throw new ProtocolException(refused.code(), refused.getMessage(), requestId);
      }
      if (e.getCause() instanceof RuntimeException failed) {
        throw failed;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new ProtocolException(ErrorCode.UNAVAILABLE, "room " + roomId + " could not be opened in time; retry",
          requestId);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProtocolException(ErrorCode.UNAVAILABLE, "pod stopping; retry", requestId);
    }
  }

  private RoomStore.RoomRecord openOrAwait(String roomId, String roomName, String requestId, String opener) {
    String owner = podId + "/" + Ids.fresh();
    long deadline = clock.millis() + CREATION_WAIT.toMillis();
    while (clock.millis() < deadline) {
      if (store.lockRoom(roomId, owner)) {
        try {
          Optional<RoomStore.RoomRecord> again = store.room(roomId);
          if (again.isPresent()) {
            return again.get();
          }
          if (opener != null && !store.reserveOpening(opener, roomId, maxOpenPerClient)) {
            log.info("room {} not opened: {} has {} rooms open", roomId, opener, maxOpenPerClient);
            throw new ProtocolException(ErrorCode.TOO_MANY_ROOMS, "you have " + maxOpenPerClient
                + " rooms open, as many as you may: join one of them, or leave one first", requestId);
          }
          RoomStore.RoomRecord room;
          String pipeline;
          RoomPlacementClient.PlacedRoom placed;
          boolean saved = false;
          try {
            placed = placement.place(roomId, expectedParticipants);
            pipeline = media.createPipeline(placed.kmsUrl());
            room = new RoomStore.RoomRecord(placed.nodeId(), placed.kmsUrl(), pipeline);
            saved = store.saveRoom(roomId, owner, room, opener);
          } finally {
            // Not opened by this join after all: uncounted, unless the pod that did open it counted
            // it for the same opener (the same entry).
            if (!saved && opener != null) {
              BestEffort.run(opener, roomId, () -> {
                if (store.openerOf(roomId).filter(opener::equals).isEmpty()) {
                  store.releaseOpening(opener, roomId);
                }
              });
            }
          }
          if (!saved) {
            // Placement and KMS took longer than the lock: another pod took it and opens the room
            // (its placement is the room's too). Ours is not the room's pipeline: release it, and
            // read theirs.
            log.warn("room {}: the opening lock lapsed while placement and KMS answered; another pod opens it,"
                + " this pipeline ({}) is released", roomId, pipeline);
            cleanup.release(placed.kmsUrl(), pipeline);
            Optional<RoomStore.RoomRecord> theirs = store.room(roomId);
            if (theirs.isPresent()) {
              return theirs.get();
            }
            continue;
          }
          log.info("room {} opened on {} (pipeline {})", roomId, placed.nodeId(), pipeline);
          presence.send(PresenceType.ROOM_OPENED, roomId, roomName, null, placed.nodeId(), null, null, null);
          return room;
        } finally {
          store.unlockRoom(roomId, owner);
        }
      }
      Optional<RoomStore.RoomRecord> created = store.room(roomId);
      if (created.isPresent()) {
        return created.get();
      }
      pause.pause(POLL);
    }
    throw new ProtocolException(ErrorCode.UNAVAILABLE, "room " + roomId + " could not be opened in time; retry",
        requestId);
  }

  /** Closes the room if nobody is in it: its record, its pipeline and its placement go. */
  void closeIfEmpty(String roomId) {
    Optional<RoomStore.RoomRecord> room = store.room(roomId);
    Optional<String> opener = room.isPresent() ? store.openerOf(roomId) : Optional.empty();
    if (room.isPresent() && store.deleteIfEmpty(roomId)) {
      opener.ifPresent(o -> store.releaseOpening(o, roomId));
      // Presence hears it now, before the slow releases: a join that opens the room again comes after.
      presence.send(PresenceType.ROOM_CLOSED, roomId, null, room.get().nodeId(), null, null, null);
      cleanup.release(room.get().kmsUrl(), room.get().pipelineId());
      try {
        placement.release(roomId);
      } catch (RuntimeException e) {
        log.warn("room {} closed, but its placement could not be released: {}", roomId, e.toString());
      }
      log.info("room {} closed", roomId);
    }
  }

  /** The pipeline of the participant's room: the one it was given with its node, else the store's. */
  String pipelineOf(Participant p) {
    String known = p.pipelineId;
    if (known != null) {
      return known; // no Redis round trip: a subscription's endpoint goes on it straight away
    }
    return store.room(p.roomId)
        .orElseThrow(() -> new ProtocolException(ErrorCode.UNAVAILABLE, "room " + p.roomName + " is gone", null))
        .pipelineId();
  }
}
