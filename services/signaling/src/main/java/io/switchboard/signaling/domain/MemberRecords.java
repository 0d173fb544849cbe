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
    return store.replaceMember(p.roomId, p.name, podId, p.publisherEndpoint, p.record(podId));
  }

  /** Writes the participant's record unless it is gone; false when it is no longer this pod's. */
  boolean persist(Participant p) {
    synchronized (p) {
      return !p.gone && write(p);
    }
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
