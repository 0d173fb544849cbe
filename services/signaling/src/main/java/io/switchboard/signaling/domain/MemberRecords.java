package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This pod's participants in the {@link RoomStore}: each one's record written only while it is
 * still this pod's, and the introductions a client gets of the others.
 */
final class MemberRecords {

  private static final Logger log = LoggerFactory.getLogger(MemberRecords.class);

  private final RoomStore store;
  private final String podId;

  MemberRecords(RoomStore store, String podId) {
    this.store = store;
    this.podId = podId;
  }

  /**
   * Writes the participant's record as this pod knows it, if the stored one is still this pod's
   * and has the publisher this pod knows (a rebuild of the room's media changes it); false when
   * not. Call holding the participant's monitor.
   */
  boolean write(Participant p) {
    synchronized (p.recordWrites) {
      long revision = p.recordRevision.incrementAndGet();
      Participant.RecordState state = new Participant.RecordState(revision, p.publisherEndpoint, p.record(podId));
      p.latestRecord = state;
      return stored(p, revision, store.replaceMember(p.roomId, p.name, podId, state.publisher(), state.record()));
    }
  }

  /**
   * Writes the participant's record unless it is gone; false when it is no longer this pod's.
   * Without holding the participant's monitor over the round trip: its record is taken under the
   * monitor and written after, so the participant's other negotiations and candidates go on
   * meanwhile. Writes are made one at a time per participant, each of the latest state taken, so
   * that writes asked for side by side are folded into one or two, and a state is never written
   * after a later one. One refused because the participant's publisher changed meanwhile is made
   * again with the record as it is now.
   */
  boolean persist(Participant p) {
    for (int attempt = 1; ; attempt++) {
      long revision;
      String publisher;
      synchronized (p) {
        if (p.gone) {
          return false;
        }
        revision = p.recordRevision.incrementAndGet();
        publisher = p.publisherEndpoint;
        p.latestRecord = new Participant.RecordState(revision, publisher, p.record(podId));
      }
      boolean written;
      synchronized (p.recordWrites) {
        if (p.storedRevision >= revision) {
          written = p.storedWritten; // a write since this state was taken carried it
        } else {
          Participant.RecordState latest = p.latestRecord; // this state or a later one
          written = stored(p, latest.revision(),
              store.replaceMember(p.roomId, p.name, podId, latest.publisher(), latest.record()));
        }
      }
      if (written || attempt == 3) {
        return written;
      }
      synchronized (p) {
        if (p.gone || java.util.Objects.equals(p.publisherEndpoint, publisher)) {
          return false; // refused for what the participant is: not this pod's, or its media rebuilt
        }
      }
    }
  }

  /** Notes what the store said to the record's state {@code revision}. Call holding {@code p.recordWrites}. */
  private static boolean stored(Participant p, long revision, boolean written) {
    if (revision > p.storedRevision) {
      p.storedRevision = revision;
      p.storedWritten = written;
    }
    return written;
  }

  /** Writes the participant's record, logging (not throwing) a failure: the next write carries it. */
  void persistBestEffort(Participant p) {
    try {
      persist(p);
    } catch (RuntimeException e) {
      log.warn("{} in room {}: record not updated: {}", p.name, p.roomId, e.toString());
    }
  }

  /**
   * The room's other members, for {@code existingParticipants}, each recorded as known to the
   * participant. Call holding the room's lock and the participant's monitor.
   */
  List<ServerMessage.ParticipantState> introduce(Participant p) {
    return introduce(p, store.members(p.roomId));
  }

  /** The same, to the room's {@code members} as read already (in join order). */
  List<ServerMessage.ParticipantState> introduce(Participant p, java.util.Map<String, RoomStore.MemberRecord> members) {
    List<ServerMessage.ParticipantState> others = new ArrayList<>();
    members.forEach((name, m) -> {
      if (!name.equals(p.name)) {
        others.add(new ServerMessage.ParticipantState(name, m.audio(), m.video(), m.screen() != null));
        p.known.put(name, m.id());
      }
    });
    return others;
  }
}
