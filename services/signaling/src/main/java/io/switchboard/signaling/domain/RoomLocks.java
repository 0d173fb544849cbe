package io.switchboard.signaling.domain;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The locks of one signaling pod, and the threads that take them: the one place that says what
 * guards what.
 *
 * <p><b>What guards what.</b>
 * <ul>
 *   <li>A room's lock (this type) guards this pod's view of the room: which of its participants
 *       are here ({@link LocalRooms}), whether the pod follows the room's events, and what each
 *       participant's client has been told about the others. Introductions
 *       ({@code existingParticipants}) and the delivery of joins and leaves happen under it, so a
 *       client hears of each participant once. A join holds it only to become a newcomer (and,
 *       for the room's first here, to follow its events) and then to be introduced: its Redis
 *       addition runs between the two, while the room's events are held for it ({@link
 *       LocalRooms#holdForNewcomers}); a resume likewise (its record written, its endpoints
 *       listened to, the room's members read in between), and as a newcomer it is not parked by
 *       this pod's janitor meanwhile; an event's delivery tells clients under it and lets go of
 *       KMS endpoints and writes records after it. No Redis or KMS round trip is made holding it,
 *       but to tell a resumed client whose media moved (a rebuild) to subscribe again.
 *   <li>A participant's own monitor ({@code synchronized (participant)}) guards its fields
 *       ({@link Participant}); a record is written holding it, so writes of one participant never
 *       cross.
 *   <li>Across pods, nothing here: the {@link RoomStore}'s compare-and-set writes decide, and its
 *       room-creation lock ({@link RoomStore#lockRoom}) lets one pod open or rebuild a room.
 * </ul>
 *
 * <p><b>Order.</b> A room's lock before a participant's monitor, never the other way round; never
 * two rooms' locks at once. Both are reentrant.
 *
 * <p><b>Threads.</b>
 * <ul>
 *   <li>a socket's thread: its client messages, one at a time ({@link GroupCallService#handle});
 *       an offer's exchange with KMS and Redis goes on on a negotiation thread of the socket
 *       handler (a socket's offers side by side), once checked and its stream reserved;
 *   <li>{@code signaling-alongside-N}: Redis writes a join or an offer makes while it waits for
 *       KMS, which it waits for in turn (no lock is held meanwhile);
 *   <li>the room-event thread of the {@link RoomEvents} adapter: {@link RoomEventDelivery};
 *   <li>kurento-client's event threads: ICE candidates to clients, a recorder's failure (handed
 *       on to {@link MediaCleanup}'s thread);
 *   <li>{@code signaling-heartbeat}: {@link Heartbeat}, alone, so nothing slow delays a beat;
 *   <li>{@code signaling-janitor}: {@link PodJanitor}'s rounds;
 *   <li>{@code room-rebuild}: {@link RoomRebuild}, rooms whose KMS node was lost;
 *   <li>{@code media-cleanup}: {@link MediaCleanup}, KMS requests nobody waits for.
 * </ul>
 * Each of the last four is owned by its type and started and stopped with
 * {@link GroupCallService#start} and {@link GroupCallService#close}.
 */
final class RoomLocks {

  /**
   * Striped rather than one lock per room: a bounded set that is never removed from, so two
   * threads never hold different locks for the same room.
   */
  private static final int STRIPES = 256;

  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  RoomLocks() {
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** Takes the room's lock until the returned handle is closed: {@code try (var held = locks.hold(roomId))}. */
  Held hold(String roomId) {
    ReentrantLock lock = stripes[Math.floorMod(roomId.hashCode(), stripes.length)];
    lock.lock();
    return lock::unlock;
  }

  /** A room's lock, held until closed. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }
}
