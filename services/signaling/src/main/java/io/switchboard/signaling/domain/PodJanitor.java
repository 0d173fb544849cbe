package io.switchboard.signaling.domain;

import io.switchboard.presence.PresenceType;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The pod's janitor, one round per heartbeat interval on its own thread ({@code signaling-janitor}):
 * records waits not parked yet, checks this pod's participants against their records, parks the
 * members of dead pods, and removes parked members whose wait ran out.
 *
 * <p>Every step is a compare-and-set on the member's record, so two pods never both act on one
 * participant: a member's own pod expires it while alive, any pod once it is dead.
 */
final class PodJanitor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PodJanitor.class);
  /** How long a pod's claim on cleaning up after a dead pod lasts (it is done long before). */
  static final Duration CLAIM_TTL = Duration.ofSeconds(30);
  /** Every this many rounds, this pod's participants are checked against their records. */
  static final int RECONCILE_EVERY = 5;
  /** Parked members one round looks at, at most. */
  static final int EXPIRIES_PER_ROUND = 64;

  private final RoomStore store;
  private final PodRegistry pods;
  private final Parking parking;
  private final Departures departures;
  private final RoomOpener rooms;
  private final MediaCleanup cleanup;
  private final LoadReporter load;
  private final RoomEvents events;
  private final PresenceNotes presence;
  private final CallObserver observer;
  private final LocalRooms local;
  private final Clock clock;
  private final String podId;
  private final Duration resumeGrace;
  private final RoomSweeper sweeper;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "signaling-janitor");
    t.setDaemon(true);
    return t;
  });
  private long rounds;

  PodJanitor(RoomStore store, PodRegistry pods, Parking parking, Departures departures,
      RoomOpener rooms, MediaCleanup cleanup, LoadReporter load, RoomEvents events, PresenceNotes presence,
      CallObserver observer, LocalRooms local, Clock clock, String podId, Duration resumeGrace, RoomSweeper sweeper) {
    this.sweeper = sweeper;
    this.store = store;
    this.pods = pods;
    this.parking = parking;
    this.departures = departures;
    this.rooms = rooms;
    this.cleanup = cleanup;
    this.load = load;
    this.events = events;
    this.presence = presence;
    this.observer = observer;
    this.local = local;
    this.clock = clock;
    this.podId = podId;
    this.resumeGrace = resumeGrace;
  }

  /** Runs a round every {@code interval}, the first after half of it. */
  void start(Duration interval) {
    long every = interval.toMillis();
    thread.scheduleWithFixedDelay(this::round, every / 2, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  /** One round; a failure is logged, and the next round tries again. */
  void round() {
    try {
      local.where(p -> p.detached && !p.parkRecorded).forEach(parking::park);
      if (rounds++ % RECONCILE_EVERY == 0) {
        reconcile();
      }
      adoptDeadPods();
      expireDue();
      sweeper.tick();
    } catch (RuntimeException e) {
      log.warn("janitor round failed: {}", e.toString());
    }
  }

  /**
   * Checks this pod's participants against their records, in case an event was lost (Redis
   * pub/sub delivers at most once): one whose record is gone or is another pod's is let go, and
   * the indexes a janitor relies on are written again for the others.
   */
  private void reconcile() {
    // Members this pod's index names but that it does not serve (a join that failed halfway).
    parking.parkMembersOf(podId, parking.deadline());
    for (String roomId : local.roomIds()) {
      List<Participant> here = local.in(roomId);
      if (here.isEmpty()) {
        continue;
      }
      Map<String, RoomStore.MemberRecord> members = store.members(roomId);
      for (Participant p : here) {
        RoomStore.MemberRecord m = members.get(p.name);
        if (p.gone) {
          continue;
        }
        if (m == null || !m.id().equals(p.memberId) || !m.pod().equals(podId)) {
          // The list was read before this participant joined or resumed here, perhaps: look again.
          m = store.member(roomId, p.name).orElse(null);
        }
        if (m == null || !m.id().equals(p.memberId)) {
          departures.stopServing(p, false);
        } else if (!m.pod().equals(podId)) {
          departures.stopServing(p, true);
        } else {
          pods.serve(podId, p.entry());
          synchronized (p) {
            if (p.detached && p.parkRecorded) {
              pods.park(p.entry(), m.parkedUntil() > 0 ? m.parkedUntil() : p.parkedUntil);
            }
          }
        }
      }
    }
  }

  /** Parks the members of every pod whose heartbeat lapsed, so they wait for a resume elsewhere. */
  private void adoptDeadPods() {
    for (String dead : pods.deadPods()) {
      if (dead.equals(podId) || !pods.claim(dead, podId, CLAIM_TTL)) {
        continue;
      }
      Parking.Adoption adoption = parking.adopt(dead, parking.deadline());
      if (adoption.failed() > 0) {
        // Forgetting it now would lose them for good: their names stay taken, their room never
        // closes. Its index keeps them; a round after the claim lapses tries them again.
        log.warn("signaling pod {} stopped beating: {} of its participants wait {} for a resume, {} could not be"
            + " parked yet (retrying within {})", dead, adoption.parked(), resumeGrace, adoption.failed(), CLAIM_TTL);
        continue;
      }
      pods.forget(dead);
      observer.adoptedDeadPod(adoption.parked()); // counted once, when done (a retried round's count is its own)
      log.warn("signaling pod {} stopped beating: {} of its participants wait {} for a resume", dead,
          adoption.parked(), resumeGrace);
    }
  }

  /** Removes parked members whose wait ran out: this pod's own, and those of dead pods. */
  private void expireDue() {
    long now = clock.millis();
    for (PodRegistry.Entry entry : pods.due(now, EXPIRIES_PER_ROUND)) {
      try (var room = MDC.putCloseable("room", entry.roomId());
          var participant = MDC.putCloseable("participant", entry.name())) {
        expireIfDue(entry, now);
      } catch (RuntimeException e) {
        log.warn("{} of room {}: expiry failed (retrying): {}", entry.name(), entry.roomId(), e.toString());
      }
    }
  }

  private void expireIfDue(PodRegistry.Entry entry, long now) {
    Optional<RoomStore.MemberRecord> found = store.member(entry.roomId(), entry.name())
        .filter(m -> m.id().equals(entry.memberId()));
    if (found.isEmpty() || found.get().parkedUntil() == 0) {
      pods.unpark(entry); // left or resumed meanwhile (a pod re-adds a fresh park it still holds)
      return;
    }
    RoomStore.MemberRecord member = found.get();
    if (member.parkedUntil() > now) {
      pods.park(entry, member.parkedUntil());
      return;
    }
    if (member.pod().equals(podId)) {
      Participant p = local.get(entry.roomId(), entry.name());
      if (p != null && p.memberId.equals(member.id()) && !p.detached && !p.gone) {
        parking.reclaim(p); // parked by a pod that took this one for dead, yet its socket is open here
        return;
      }
    } else if (pods.alive(member.pod())) {
      return; // its own pod sees to it
    }
    expire(entry, member, now);
  }

  private void expire(PodRegistry.Entry entry, RoomStore.MemberRecord found, long now) {
    RoomStore.Removal removal = store.removeExpiredMember(entry.roomId(), entry.name(), found.id(), now);
    if (!removal.done()) {
      return; // resumed, or removed by another pod, just now
    }
    // The record as removed: a rebuild of the room's media may have re-pointed it since it was read.
    RoomStore.MemberRecord member = removal.removed();
    long left = removal.left();
    // Removed: from here on every step is tried, whatever fails before it; nobody else will.
    String roomId = entry.roomId();
    String name = entry.name();
    log.info("{} did not resume within {}: leaving room {}", name, resumeGrace, roomId);
    presence.send(PresenceType.PARTICIPANT_LEFT, roomId, null, name, null, null, null, "expired", removal.sequence());
    BestEffort.run(name, roomId, () -> pods.unpark(entry));
    BestEffort.run(name, roomId, () -> pods.unserve(member.pod(), entry));
    BestEffort.run(name, roomId, () -> store.deleteSession(member.session()));
    BestEffort.run(name, roomId, () -> store.room(roomId).ifPresent(room -> {
      List<String> endpoints = member.endpoints();
      endpoints.forEach(e -> cleanup.release(room.kmsUrl(), e));
      if (member.recorder() != null) {
        cleanup.finishRecording(room.kmsUrl(), member.recorder());
        events.publish(roomId, new RoomEvents.RecordingChanged(name, member.id(), podId, false,
            member.recordingUri()));
      }
      load.report(roomId, room.nodeId(), -(endpoints.size() + (member.recorder() == null ? 0 : 1)), -1);
    }));
    BestEffort.run(name, roomId, () -> {
      if (store.releasePresenter(roomId, member.id() + " " + name)) {
        events.publish(roomId, new RoomEvents.PresenterChanged(name, member.id(), member.pod(), false));
      }
    });
    BestEffort.run(name, roomId, () -> events.publish(roomId, new RoomEvents.Left(name, member.id(),
        member.pod())));
    observer.expired();
    if (left == 0) {
      BestEffort.run(name, roomId, () -> rooms.closeIfEmpty(roomId));
    }
  }
}
