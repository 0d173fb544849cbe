package io.switchboard.presence;

/** The CloudEvents {@code type} of each presence event. */
public enum PresenceType {
  ROOM_OPENED("switchboard.room.opened"),
  ROOM_CLOSED("switchboard.room.closed"),
  /** Who is in an open room as Redis holds it, numbered in the same step as the read (docs/events.md). */
  ROOM_SNAPSHOT("switchboard.room.snapshot"),
  PARTICIPANT_JOINED("switchboard.participant.joined"),
  PARTICIPANT_LEFT("switchboard.participant.left"),
  PARTICIPANT_MEDIA_CHANGED("switchboard.participant.media-changed"),
  PARTICIPANT_DISCONNECTED("switchboard.participant.disconnected"),
  PARTICIPANT_RESUMED("switchboard.participant.resumed");

  private final String ceType;

  PresenceType(String ceType) {
    this.ceType = ceType;
  }

  /** The CloudEvents type, e.g. {@code switchboard.participant.joined}. */
  public String ceType() {
    return ceType;
  }

  /** The type for a CloudEvents type; {@link PoisonEventException} for one this contract does not know. */
  public static PresenceType of(String ceType) {
    for (PresenceType t : values()) {
      if (t.ceType.equals(ceType)) {
        return t;
      }
    }
    throw new PoisonEventException("unknown event type " + ceType);
  }
}
