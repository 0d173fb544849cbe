package io.switchboard.signaling.domain;

import io.switchboard.presence.PresenceType;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Participants waiting for a resume: parked when their socket closes or their pod dies, with a
 * deadline in their record, and reclaimed by this pod when it turns out it served them all along.
 */
final class Parking {

  private static final Logger log = LoggerFactory.getLogger(Parking.class);

  private final RoomStore store;
  private final PodRegistry pods;
  private final MemberRecords records;
  private final PresenceNotes presence;
  private final Departures departures;
  private final LocalRooms local;
  private final RoomLocks locks;
  private final Clock clock;
  private final Duration resumeGrace;
  private final String podId;

  Parking(RoomStore store, PodRegistry pods, MemberRecords records, PresenceNotes presence, Departures departures,
      LocalRooms local, RoomLocks locks, Clock clock, Duration resumeGrace, String podId) {
    this.store = store;
    this.pods = pods;
    this.records = records;
    this.presence = presence;
    this.departures = departures;
    this.local = local;
    this.locks = locks;
    this.clock = clock;
    this.resumeGrace = resumeGrace;
    this.podId = podId;
  }

  /** When a participant parked now stops waiting (epoch ms). */
  long deadline() {
    return clock.millis() + resumeGrace.toMillis();
  }

  /**
   * The socket closed. The participant stays (its endpoints too, and the others are not told)
   * for the resume grace period, parked in the store so that a resume on any pod finds it, and
   * leaves if no {@code resume} came by then; with no grace it leaves at once.
   */
  void disconnected(Participant self, ClientChannel channel) {
    synchronized (self) {
      if (self.gone || self.channel != channel || self.detached) {
        return; // left already, resumed on another socket, or told already
      }
      if (!resumeGrace.isZero()) {
        self.detached = true;
        self.parkedUntil = clock.millis() + resumeGrace.toMillis();
        self.parkRecorded = false;
      }
    }
    if (resumeGrace.isZero()) {
      departures.leave(self);
      return;
    }
    log.info("{} in room {} disconnected; kept {} for a resume", self.name, self.roomId, resumeGrace);
    presence.send(PresenceType.PARTICIPANT_DISCONNECTED, self.roomId, self.name, self.nodeId, null, null,
        "socket-closed");
    park(self);
  }

  /** Records a detached participant's wait in the store; retried by the janitor until it is. */
  void park(Participant self) {
    try {
      synchronized (self) {
        if (self.gone || !self.detached || self.parkRecorded) {
          return;
        }
        // Not written means it is no longer this pod's (resumed elsewhere, or removed): the
        // event saying so lets it go here.
        if (records.write(self)) {
          pods.park(self.entry(), self.parkedUntil);
        }
        self.parkRecorded = true;
      }
    } catch (RuntimeException e) {
      log.warn("{} in room {} could not be parked yet (retrying): {}", self.name, self.roomId, e.toString());
    }
  }

  /**
   * Parks the members {@code pod} served that are not served here now (all of them, for a dead
   * pod); returns how many wait for a resume.
   */
  int parkMembersOf(String pod, long deadline) {
    int parked = 0;
    for (PodRegistry.Entry entry : pods.served(pod)) {
      if (pod.equals(podId)) {
        // Under the room's lock: a join or resume here adds its entry first and its participant
        // (or newcomer) under this lock, and must not be parked in between.
        try (var held = locks.hold(entry.roomId())) {
          Participant here = local.get(entry.roomId(), entry.name());
          if ((here == null || !here.memberId.equals(entry.memberId()))
              && !local.isNewcomer(entry.roomId(), entry.name(), entry.memberId())) {
            parked += parkOne(pod, entry, deadline) == Outcome.PARKED ? 1 : 0;
          }
        }
      } else {
        parked += parkOne(pod, entry, deadline) == Outcome.PARKED ? 1 : 0;
      }
    }
    return parked;
  }

  /** What a round over a dead pod's members did: parked so many; so many could not be (try again). */
  record Adoption(int parked, int failed) {}

  /**
   * Parks the members of a dead pod, and takes each member that was seen to (parked, or found gone
   * or another's) off the dead pod's index; a member that could not be (the store failed) stays in
   * it, for a later round to try again — the pod must not be forgotten while any does.
   */
  Adoption adopt(String deadPod, long deadline) {
    int parked = 0;
    int failed = 0;
    for (PodRegistry.Entry entry : pods.served(deadPod)) {
      Outcome outcome = parkOne(deadPod, entry, deadline);
      if (outcome == Outcome.FAILED) {
        failed++;
        continue;
      }
      parked += outcome == Outcome.PARKED ? 1 : 0;
      try {
        pods.unserve(deadPod, entry);
      } catch (RuntimeException e) {
        failed++; // seen to, but still indexed: the next round finds it handled
      }
    }
    return new Adoption(parked, failed);
  }

  private enum Outcome {
    /** It waits for a resume now. */
    PARKED,
    /** Nothing to do: it left, resumed elsewhere, or another step changed it meanwhile. */
    SEEN_TO,
    /** The store failed: not parked. */
    FAILED
  }

  /** Parks one member of {@code pod} if it is still that pod's and connected. */
  private Outcome parkOne(String pod, PodRegistry.Entry entry, long deadline) {
    try {
      Optional<RoomStore.MemberRecord> member = store.member(entry.roomId(), entry.name())
          .filter(m -> m.id().equals(entry.memberId()) && m.pod().equals(pod));
      if (member.isEmpty()) {
        if (pod.equals(podId)) {
          pods.unserve(pod, entry); // left, or resumed elsewhere, already
        }
        return Outcome.SEEN_TO;
      }
      long until = member.get().parkedUntil();
      if (until == 0) {
        until = deadline;
        if (!store.replaceMember(entry.roomId(), entry.name(), pod, member.get().publisher(),
            member.get().parked(deadline))) {
          return Outcome.SEEN_TO; // changed meanwhile (resumed, left): its new state is someone's
        }
        presence.send(PresenceType.PARTICIPANT_DISCONNECTED, entry.roomId(), entry.name(), null, null, null,
            pod.equals(podId) ? "pod-restarted" : "pod-died");
      }
      pods.park(entry, until);
      return Outcome.PARKED;
    } catch (RuntimeException e) {
      log.warn("{} of room {} not parked: {}", entry.name(), entry.roomId(), e.toString());
      return Outcome.FAILED;
    }
  }

  /**
   * Makes the record of a participant this pod serves say so again, after another pod took this
   * one for dead and parked it (a lapsed heartbeat, a long pause).
   */
  void reclaim(Participant p) {
    synchronized (p) {
      if (p.gone) {
        return;
      }
      if (records.write(p)) {
        pods.serve(podId, p.entry());
        if (p.detached) {
          pods.park(p.entry(), p.parkedUntil);
        } else {
          pods.unpark(p.entry());
          // Another pod may have reported it disconnected (this pod looked dead): it never was.
          presence.send(PresenceType.PARTICIPANT_RESUMED, p.roomId, p.name, p.nodeId, null, null, "reclaimed");
        }
      }
    }
  }
}
