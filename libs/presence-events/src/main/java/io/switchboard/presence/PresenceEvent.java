package io.switchboard.presence;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One presence event (docs/events.md). Room events have no participant; media fields are set on
 * joined and media-changed.
 *
 * @param id unique (a UUID): what the state service deduplicates by
 * @param type what happened
 * @param roomId the room's id (also the Kafka key: a room's events stay in order)
 * @param sequence the room's per-room sequence number, from 1, gap-free across signaling pods
 * @param time when it happened
 * @param source the signaling pod that saw it
 * @param participant the participant's name in the room, or null for room events
 * @param identity who the participant is (the join token's subject; its name until tokens exist)
 * @param kmsNode the room's KMS node, or null
 * @param audio,video the participant's media state, or null
 * @param reason why (left, expired, socket-closed, pod-died, …), or null
 * @param roomName the room's name as people typed it (the id may be derived from it), or null
 * @param members everyone in the room, for a {@link PresenceType#ROOM_SNAPSHOT}; null for the other types
 */
public record PresenceEvent(String id, PresenceType type, String roomId, long sequence, Instant time, String source,
    String participant, String identity, String kmsNode, Boolean audio, Boolean video, String reason,
    String roomName, List<Member> members) {

  /** One member of a snapshot: as a join, a media change and a disconnect or resume would have told it. */
  public record Member(String participant, String identity, boolean audio, boolean video, boolean connected,
      long joinedAt) {

    public Member {
      Objects.requireNonNull(participant, "participant");
      Objects.requireNonNull(identity, "identity");
    }
  }

  public PresenceEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(source, "source");
    if ((type == PresenceType.ROOM_SNAPSHOT) != (members != null)) {
      throw new IllegalArgumentException("members are given with a snapshot, and only with one");
    }
    members = members == null ? null : List.copyOf(members);
  }

  /** Any event but a snapshot. */
  public PresenceEvent(String id, PresenceType type, String roomId, long sequence, Instant time, String source,
      String participant, String identity, String kmsNode, Boolean audio, Boolean video, String reason,
      String roomName) {
    this(id, type, roomId, sequence, time, source, participant, identity, kmsNode, audio, video, reason, roomName,
        null);
  }

  /** A room's snapshot: its members as they were when {@code sequence} was taken. */
  public static PresenceEvent snapshot(String id, String roomId, long sequence, Instant time, String source,
      String kmsNode, List<Member> members) {
    return new PresenceEvent(id, PresenceType.ROOM_SNAPSHOT, roomId, sequence, time, source, null, null, kmsNode, null,
        null, null, null, members);
  }

  /** The same event with its room sequence number (assigned when it is sent). */
  public PresenceEvent withSequence(long seq) {
    return new PresenceEvent(id, type, roomId, seq, time, source, participant, identity, kmsNode, audio, video, reason,
        roomName, members);
  }
}
