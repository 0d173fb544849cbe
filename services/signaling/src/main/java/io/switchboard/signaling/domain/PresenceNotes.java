package io.switchboard.signaling.domain;

import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import java.time.Clock;
import java.util.UUID;

/**
 * Presence events of this pod (docs/events.md), stamped with the pod and the time and queued on
 * the {@link PresenceFeed}; a room's sequence number is given when the event is sent.
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
    feed.publish(new PresenceEvent(UUID.randomUUID().toString(), type, roomId, 0, clock.instant(), podId, participant,
        participant, kmsNode, audio, video, reason, roomName));
  }
}
