package io.switchboard.signaling.domain;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link RoomStore} in memory with {@code RedisRoomStore}'s semantics: each method is one atomic
 * step (the class is synchronized, as each Lua script is), and the room lock and sessions expire
 * by the injected clock.
 *
 * <p>Like Redis, {@link #members} orders members by {@code joinedAt}, then by name: with a clock
 * that stands still, members come in name order. A key "expires" once the clock is past its
 * deadline (Redis keeps a key alive through its last millisecond).
 */
public final class InMemoryRoomStore implements RoomStore {

  /** How long a room's lock lasts when nobody unlocks it (RedisRoomStore's LOCK_TTL). */
  public static final Duration LOCK_TTL = Duration.ofSeconds(15);

  private static final Comparator<Map.Entry<String, MemberRecord>> JOIN_ORDER =
      Comparator.comparingLong((Map.Entry<String, MemberRecord> e) -> e.getValue().joinedAt())
          .thenComparing(Map.Entry::getKey);

  /** A room's hash: its media location, and its presenter while someone presents. */
  private static final class Room {
    RoomRecord record;
    String presenter;

    Room(RoomRecord record) {
      this.record = record;
    }
  }

  private record Expiring<T>(T value, long expiresAtMillis) {}

  private final Clock clock;
  private final Map<String, Room> rooms = new HashMap<>();
  /** Room → name → record; a room without members has no entry (as Redis drops an empty hash). */
  private final Map<String, Map<String, MemberRecord>> members = new HashMap<>();
  private final Map<String, Expiring<String>> locks = new HashMap<>();
  /** Room → its opener (the room hash's {@code opener} field); opener → the rooms it has open. */
  private final Map<String, String> openers = new HashMap<>();
  private final Map<String, Set<String>> openings = new HashMap<>();
  private final Map<String, Long> sequences = new HashMap<>();
  private final Map<String, Expiring<SessionRecord>> sessions = new HashMap<>();
  private int roomReads;

  public InMemoryRoomStore(Clock clock) {
    this.clock = clock;
  }

  // ---------------------------------------------------------------- rooms

  /** How many times {@link #room} was asked: what a pod reads, as Redis's MONITOR would show it. */
  public synchronized int roomReads() {
    return roomReads;
  }

  @Override
  public synchronized Optional<RoomRecord> room(String roomId) {
    roomReads++;
    Room room = rooms.get(roomId);
    return room == null ? Optional.empty() : Optional.of(room.record);
  }

  @Override
  public synchronized Optional<Snapshot> snapshot(String roomId) {
    Room room = rooms.get(roomId);
    return room == null ? Optional.empty()
        : Optional.of(new Snapshot(room.record, members(roomId), nextSequence(roomId)));
  }

  @Override
  public synchronized boolean lockRoom(String roomId, String owner) {
    if (live(locks.get(roomId)) != null) {
      return false;
    }
    locks.put(roomId, new Expiring<>(owner, now() + LOCK_TTL.toMillis()));
    return true;
  }

  @Override
  public synchronized void unlockRoom(String roomId, String owner) {
    if (owner.equals(live(locks.get(roomId)))) {
      locks.remove(roomId);
    }
  }

  /** Who holds the room's lock now, if anyone (for assertions). */
  public synchronized Optional<String> lockOwner(String roomId) {
    return Optional.ofNullable(live(locks.get(roomId)));
  }

  /**
   * Saves the room's media location while {@code owner} holds its lock (as room-save.lua); its
   * presenter, if any, stays (as HSET of three fields leaves it).
   */
  @Override
  public synchronized boolean saveRoom(String roomId, String owner, RoomRecord room, String opener) {
    if (!owner.equals(live(locks.get(roomId)))) {
      return false;
    }
    put(roomId, room);
    if (opener != null) {
      openers.put(roomId, opener);
    }
    return true;
  }

  @Override
  public synchronized boolean reserveOpening(String opener, String roomId, int max) {
    Set<String> open = openings.computeIfAbsent(opener, k -> new java.util.HashSet<>());
    if (open.contains(roomId)) {
      return true;
    }
    if (open.size() >= max) {
      return false;
    }
    return open.add(roomId);
  }

  @Override
  public synchronized void releaseOpening(String opener, String roomId) {
    Set<String> open = openings.get(opener);
    if (open != null) {
      open.remove(roomId);
    }
  }

  @Override
  public synchronized Optional<String> openerOf(String roomId) {
    return rooms.containsKey(roomId) ? Optional.ofNullable(openers.get(roomId)) : Optional.empty();
  }

  /** Tests: the rooms {@code opener} is counted as having open. */
  public synchronized Set<String> openings(String opener) {
    return Set.copyOf(openings.getOrDefault(opener, Set.of()));
  }

  /** Tests: the room's media location, as if an opener had saved it. */
  public synchronized void put(String roomId, RoomRecord room) {
    Objects.requireNonNull(room.pipelineId(), "pipelineId");
    Room existing = rooms.get(roomId);
    if (existing == null) {
      rooms.put(roomId, new Room(room));
    } else {
      existing.record = room;
    }
  }

  @Override
  public synchronized boolean deleteIfEmpty(String roomId) {
    if (members.containsKey(roomId)) {
      return false;
    }
    openers.remove(roomId); // the room hash's field goes with it
    return rooms.remove(roomId) != null;
  }

  // ---------------------------------------------------------------- members

  @Override
  public synchronized Admission admit(String roomId, String pipelineId, String name, MemberRecord member,
      int maxMembers) {
    Room room = rooms.get(roomId);
    if (room == null || !room.record.pipelineId().equals(pipelineId)) {
      return new Admission(Added.ROOM_GONE, Map.of());
    }
    Map<String, MemberRecord> here = members.getOrDefault(roomId, Map.of());
    if (here.containsKey(name)) {
      return new Admission(Added.NAME_TAKEN, Map.of());
    }
    if (here.size() >= maxMembers) {
      return new Admission(Added.ROOM_FULL, Map.of());
    }
    members.computeIfAbsent(roomId, r -> new HashMap<>()).put(name, member);
    return new Admission(Added.ADDED, members(roomId), nextSequence(roomId));
  }

  @Override
  public synchronized Map<String, MemberRecord> members(String roomId) {
    Map<String, MemberRecord> ordered = new LinkedHashMap<>();
    members.getOrDefault(roomId, Map.of()).entrySet().stream()
        .sorted(JOIN_ORDER)
        .forEach(e -> ordered.put(e.getKey(), e.getValue()));
    return ordered;
  }

  @Override
  public Optional<MemberRecord> member(String roomId, String name) {
    Runnable hook = beforeMemberRead.getAndSet(null);
    if (hook != null) {
      hook.run(); // as a slow Redis: whatever else happens meanwhile
    }
    synchronized (this) {
      return Optional.ofNullable(members.getOrDefault(roomId, Map.of()).get(name));
    }
  }

  private final java.util.concurrent.atomic.AtomicReference<Runnable> beforeMemberRead =
      new java.util.concurrent.atomic.AtomicReference<>();

  /** Runs {@code hook} on the reader's thread, once, before the next member record is read. */
  public void beforeNextMemberRead(Runnable hook) {
    beforeMemberRead.set(hook);
  }

  @Override
  public synchronized boolean replaceMember(String roomId, String name, String expectedPod, String expectedPublisher,
      MemberRecord next) {
    MemberRecord current = member(roomId, name).orElse(null);
    if (current == null
        || !Objects.equals(current.id(), next.id())
        || !Objects.equals(current.pod(), expectedPod)
        || !Objects.equals(current.publisher(), expectedPublisher)) {
      return false;
    }
    members.get(roomId).put(name, next);
    return true;
  }

  @Override
  public synchronized Removal removeMember(String roomId, String name, String memberId, String expectedPod) {
    MemberRecord current = member(roomId, name).orElse(null);
    if (current == null || !Objects.equals(current.id(), memberId) || !Objects.equals(current.pod(), expectedPod)) {
      return Removal.NONE;
    }
    return new Removal(remove(roomId, name), current, nextSequence(roomId));
  }

  @Override
  public synchronized Removal removeExpiredMember(String roomId, String name, String memberId, long nowMillis) {
    long dueBy = Math.max(1, nowMillis); // as RedisRoomStore: 0 would mean "no deadline check"
    MemberRecord current = member(roomId, name).orElse(null);
    if (current == null || !Objects.equals(current.id(), memberId)
        || current.parkedUntil() == 0 || current.parkedUntil() > dueBy) {
      return Removal.NONE;
    }
    return new Removal(remove(roomId, name), current, nextSequence(roomId));
  }

  /** As the room's counter in Redis (which outlives the room): joins and leaves are numbered in their step. */
  private long nextSequence(String roomId) {
    return sequences.merge(roomId, 1L, Long::sum);
  }

  /** Tests: every room with a record. */
  public synchronized Set<String> roomIds() {
    return Set.copyOf(rooms.keySet());
  }

  /** Tests: the last sequence number a join or leave of the room took. */
  public synchronized long sequence(String roomId) {
    return sequences.getOrDefault(roomId, 0L);
  }

  /** Removes a member; returns how many are left, dropping the room's member map when none are. */
  private long remove(String roomId, String name) {
    Map<String, MemberRecord> here = members.get(roomId);
    here.remove(name);
    if (here.isEmpty()) {
      members.remove(roomId);
    }
    return here.size();
  }

  // ---------------------------------------------------------------- presenter

  @Override
  public synchronized boolean claimPresenter(String roomId, String who) {
    Room room = rooms.get(roomId);
    if (room == null) {
      return false;
    }
    if (room.presenter == null) {
      room.presenter = who;
    }
    return room.presenter.equals(who);
  }

  @Override
  public synchronized Optional<String> presenter(String roomId) {
    Room room = rooms.get(roomId);
    return room == null ? Optional.empty() : Optional.ofNullable(room.presenter);
  }

  @Override
  public synchronized boolean releasePresenter(String roomId, String who) {
    Room room = rooms.get(roomId);
    if (room == null || !who.equals(room.presenter)) {
      return false;
    }
    room.presenter = null;
    return true;
  }

  // ---------------------------------------------------------------- sessions

  @Override
  public synchronized void saveSession(String tokenHash, SessionRecord session, Duration ttl) {
    if (ttl.toMillis() <= 0) {
      sessions.remove(tokenHash); // PEXPIRE with no time left deletes the key
      return;
    }
    sessions.put(tokenHash, new Expiring<>(session, now() + ttl.toMillis()));
  }

  @Override
  public synchronized Optional<SessionRecord> session(String tokenHash) {
    SessionRecord s = live(sessions.get(tokenHash));
    if (s == null) {
      return Optional.empty();
    }
    // RedisRoomStore falls back to the room's id for a session saved without the room's name.
    return Optional.of(s.roomName() == null ? new SessionRecord(s.roomId(), s.name(), s.roomId()) : s);
  }

  @Override
  public synchronized void deleteSession(String tokenHash) {
    sessions.remove(tokenHash);
  }

  // ---------------------------------------------------------------- time

  private long now() {
    return clock.millis();
  }

  /** The value while it lives, else null. */
  private <T> T live(Expiring<T> e) {
    return e == null || now() > e.expiresAtMillis() ? null : e.value();
  }
}
