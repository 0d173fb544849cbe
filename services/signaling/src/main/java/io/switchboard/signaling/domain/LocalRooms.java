package io.switchboard.signaling.domain;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * This pod's participants, room by room, and the rooms whose events it follows: exactly those with
 * a participant here or one being added (a newcomer). A newcomer is a join or a takeover being
 * added, or a participant here being introduced again (a resume on this pod): the room's events
 * are held for it, not told, until it is introduced. Changes are made holding the room's lock
 * ({@link RoomLocks}); reads need none.
 */
final class LocalRooms {

  /** room → name → participant. */
  private final Map<String, Map<String, Participant>> rooms = new ConcurrentHashMap<>();
  /**
   * room → newcomer → the room's events that came while it was being added: participants whose
   * join or resume is between following the room and being introduced. The events are held for
   * them ({@link #told} leaves them out) and caught up on once they are introduced.
   */
  private final Map<String, Map<Participant, List<RoomEvents.RoomEvent>>> newcomers = new ConcurrentHashMap<>();
  /** Memberships being joined here, before they are newcomers ({@link #joining}). */
  private final java.util.Set<String> joining = ConcurrentHashMap.newKeySet();
  private final RoomEvents events;
  private final BiConsumer<String, RoomEvents.RoomEvent> listener;

  /** {@code listener} hears the events of every room followed here, with the room's id. */
  LocalRooms(RoomEvents events, BiConsumer<String, RoomEvents.RoomEvent> listener) {
    this.events = events;
    this.listener = listener;
  }

  Participant get(String roomId, String name) {
    Map<String, Participant> here = rooms.get(roomId);
    return here == null ? null : here.get(name);
  }

  /** The room's participants here now (a copy; empty when none). */
  List<Participant> in(String roomId) {
    Map<String, Participant> here = rooms.get(roomId);
    return here == null ? List.of() : List.copyOf(here.values());
  }

  /**
   * The room's participants here that are told its events as they come: those in {@link #in} but
   * a participant being introduced again, for which they are held.
   */
  List<Participant> told(String roomId) {
    List<Participant> here = in(roomId);
    synchronized (newcomers) {
      Map<Participant, List<RoomEvents.RoomEvent>> coming = newcomers.get(roomId);
      return coming == null ? here : here.stream().filter(p -> !coming.containsKey(p)).toList();
    }
  }

  /**
   * Where the room's media is as a participant here knows it — kept current as the room's media
   * moves ({@link RoomRebuild}) —, empty when nobody here is in the room. A join here takes it
   * instead of reading the room's record: the addition's step in the store refuses a join whose
   * pipeline is no longer the room's, and the join then starts over from the store.
   */
  java.util.Optional<RoomStore.RoomRecord> media(String roomId) {
    Map<String, Participant> here = rooms.get(roomId);
    if (here != null) {
      for (Participant p : here.values()) {
        synchronized (p) {
          if (!p.gone && p.pipelineId != null) {
            return java.util.Optional.of(new RoomStore.RoomRecord(p.nodeId, p.kmsUrl, p.pipelineId));
          }
        }
      }
    }
    return java.util.Optional.empty();
  }

  /** Rooms with participants here now (a copy). */
  List<String> roomIds() {
    return List.copyOf(rooms.keySet());
  }

  /** Participants here, not gone, for which {@code test} holds (judged under each one's monitor). */
  List<Participant> where(Predicate<Participant> test) {
    List<Participant> found = new ArrayList<>();
    rooms.values().forEach(room -> room.values().forEach(p -> {
      synchronized (p) {
        if (!p.gone && test.test(p)) {
          found.add(p);
        }
      }
    }));
    return found;
  }

  int roomCount() {
    return (int) rooms.values().stream().filter(r -> !r.isEmpty()).count();
  }

  int participantCount() {
    return rooms.values().stream().mapToInt(Map::size).sum();
  }

  /**
   * Makes ready to add a participant to the room: follows its events first when nobody here is in
   * it, so every event published after this returns is heard. Returns whether it started
   * following (the caller undoes it with {@link #unfollowIfEmpty} should the participant not come).
   * Call holding the room's lock.
   */
  boolean followForNewcomer(String roomId) {
    Map<String, Participant> here = rooms.computeIfAbsent(roomId, r -> new ConcurrentHashMap<>());
    if (!here.isEmpty() || newcomers.containsKey(roomId)) {
      return false;
    }
    try {
      events.follow(roomId, event -> listener.accept(roomId, event));
    } catch (RuntimeException e) {
      rooms.remove(roomId, here);
      throw e;
    }
    return true;
  }

  /** Stops following a room nobody here is in (after {@link #followForNewcomer} whose participant did not come). */
  void unfollowIfEmpty(String roomId) {
    Map<String, Participant> here = rooms.get(roomId);
    if (here != null && here.isEmpty() && !newcomers.containsKey(roomId)) {
      rooms.remove(roomId, here);
      events.unfollow(roomId);
    }
  }

  /**
   * Notes a participant being added to the room (after {@link #followForNewcomer}), or one here
   * being introduced again: from now on the room's events are held for it ({@link
   * #holdForNewcomers}) until {@link #admit}. Call holding the room's lock.
   */
  void addNewcomer(Participant p) {
    synchronized (newcomers) {
      newcomers.computeIfAbsent(p.roomId, r -> new IdentityHashMap<>()).put(p, new ArrayList<>());
    }
  }

  /**
   * Notes a membership whose join is noting it in this pod's index, before it is a newcomer
   * ({@link #isNewcomer} from now on), until {@link #joined}.
   */
  void joining(String memberId) {
    joining.add(memberId);
  }

  void joined(String memberId) {
    joining.remove(memberId);
  }

  /** Whether membership {@code memberId} of {@code name} is being added here now. */
  boolean isNewcomer(String roomId, String name, String memberId) {
    if (joining.contains(memberId)) {
      return true;
    }
    synchronized (newcomers) {
      Map<Participant, List<RoomEvents.RoomEvent>> coming = newcomers.get(roomId);
      return coming != null && coming.keySet().stream().anyMatch(p -> p.name.equals(name) && p.memberId.equals(memberId));
    }
  }

  /** Keeps a room's event for each of its newcomers. Call holding the room's lock. */
  void holdForNewcomers(String roomId, RoomEvents.RoomEvent event) {
    synchronized (newcomers) {
      Map<Participant, List<RoomEvents.RoomEvent>> coming = newcomers.get(roomId);
      if (coming != null) {
        coming.values().forEach(held -> held.add(event));
      }
    }
  }

  /**
   * Makes a newcomer a participant here ({@link #add}; a participant here stays); returns the
   * events held for it, oldest first, which the caller delivers to it before releasing the room's
   * lock. Call holding it.
   */
  List<RoomEvents.RoomEvent> admit(Participant p) {
    List<RoomEvents.RoomEvent> held = dropNewcomer(p);
    add(p);
    return held;
  }

  /**
   * Forgets a newcomer that did not become a member (or a participant here whose new introduction
   * did not come about: it stays), unfollowing the room when nobody else here is in it or coming.
   * Call holding the room's lock.
   */
  void abandonNewcomer(Participant p) {
    dropNewcomer(p);
    unfollowIfEmpty(p.roomId);
  }

  private List<RoomEvents.RoomEvent> dropNewcomer(Participant p) {
    synchronized (newcomers) {
      Map<Participant, List<RoomEvents.RoomEvent>> coming = newcomers.get(p.roomId);
      List<RoomEvents.RoomEvent> held = coming == null ? null : coming.remove(p);
      if (coming != null && coming.isEmpty()) {
        newcomers.remove(p.roomId, coming);
      }
      return held == null ? List.of() : held;
    }
  }

  /** Adds a participant; returns the one it replaces under the same name, if any. Call holding the room's lock. */
  Participant add(Participant p) {
    return rooms.computeIfAbsent(p.roomId, r -> new ConcurrentHashMap<>()).put(p.name, p);
  }

  /**
   * Takes a participant out, unfollowing the room when it was the last here; a participant that
   * replaced it under its name stays. Call holding the room's lock.
   */
  void remove(Participant p) {
    Map<String, Participant> here = rooms.get(p.roomId);
    if (here != null) {
      here.remove(p.name, p);
      if (here.isEmpty() && !newcomers.containsKey(p.roomId)) {
        rooms.remove(p.roomId);
        events.unfollow(p.roomId);
      }
    }
  }

  /**
   * Tells a newcomer, holding the room's lock, the events held for it while it was added ({@link
   * RoomEventDelivery#catchUp}); what that needs of KMS and Redis goes to {@code afterwards}, run
   * once the lock is released.
   */
  @FunctionalInterface
  interface CatchUp {
    void catchUp(Participant newcomer, List<RoomEvents.RoomEvent> held, List<Runnable> afterwards);
  }
}
