package io.switchboard.signaling.domain;

import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import java.time.Clock;

/**
 * Presence events of this pod (docs/events.md), stamped with the pod and the time and queued on
 * the {@link PresenceFeed}. A join's and a leave's sequence number is taken in the store's step that
 * made the change; the others' when the event is sent.
 */
final class PresenceNotes {

  private final PresenceFeed feed;
  private final Clock clock;
  private final String podId;

  PresenceNotes(PresenceFeed feed, Clock clock, String podId) {
    this.feed = feed;
    this.clock = clock;
    this.podId = podId;
  }

  void send(PresenceType type, String roomId, String participant, String kmsNode, Boolean audio, Boolean video,
      String reason) {
    send(type, roomId, null, participant, kmsNode, audio, video, reason);
  }

  /** The same, with the room's name as typed (known where a join brings it). */
  void send(PresenceType type, String roomId, String roomName, String participant, String kmsNode, Boolean audio,
      Boolean video, String reason) {
    send(type, roomId, roomName, participant, kmsNode, audio, video, reason, 0);
  }

  /**
   * The same, numbered already: {@code sequence} was taken in the store's step that made the
   * change (a join, a leave), so it orders the event by the change, not by when it is sent.
   */
  void send(PresenceType type, String roomId, String roomName, String participant, String kmsNode, Boolean audio,
      Boolean video, String reason, long sequence) {
    feed.publish(new PresenceEvent(Ids.fresh(), type, roomId, sequence, clock.instant(), podId,
        participant, participant, kmsNode, audio, video, reason, roomName));
  }

  /**
   * A room's snapshot: who is in it as the store held them at {@code snapshot.sequence()} (numbered
   * in the same step as the read), so a view that lost events of a pod that died converges on it.
   */
  void snapshot(String roomId, RoomStore.Snapshot snapshot) {
    java.util.List<PresenceEvent.Member> members = new java.util.ArrayList<>(snapshot.members().size());
    snapshot.members().forEach((name, m) -> members.add(new PresenceEvent.Member(name, name, m.audio(), m.video(),
        m.parkedUntil() == 0, m.joinedAt())));
    feed.publish(PresenceEvent.snapshot(Ids.fresh(), roomId, snapshot.sequence(), clock.instant(), podId,
        snapshot.room().nodeId(), members));
  }
}
