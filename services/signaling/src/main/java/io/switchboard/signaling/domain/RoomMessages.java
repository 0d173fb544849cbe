package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.presence.PresenceType;
import java.time.Clock;

/** What participants say to the room without media: their media state (muted or not) and chat. */
final class RoomMessages {

  private final RoomStore store;
  private final RoomEvents events;
  private final MemberRecords records;
  private final PresenceNotes presence;
  private final Clock clock;
  private final String podId;

  RoomMessages(RoomStore store, RoomEvents events, MemberRecords records, PresenceNotes presence, Clock clock,
      String podId) {
    this.store = store;
    this.events = events;
    this.records = records;
    this.presence = presence;
    this.clock = clock;
    this.podId = podId;
  }

  /** {@code mediaState}: recorded, and everyone hears it, the sender too (its other devices, and a confirmation). */
  void mediaState(Participant self, ClientMessage.MediaState state) {
    synchronized (self) {
      self.audio = state.audio();
      self.video = state.video();
      if (!records.write(self)) {
        throw new ProtocolException(ErrorCode.NOT_JOINED, "this session moved to another socket", state.requestId());
      }
    }
    events.publish(self.roomId, new RoomEvents.MediaChanged(self.name, self.memberId, podId, state.audio(),
        state.video()));
    presence.send(PresenceType.PARTICIPANT_MEDIA_CHANGED, self.roomId, self.name, self.nodeId, state.audio(),
        state.video(), null);
  }

  /** {@code chat}: to the whole room, or to one member (and back to the writer). */
  void chat(Participant self, ClientMessage.Chat chat) {
    if (chat.to() != null && !store.members(self.roomId).containsKey(chat.to())) {
      throw new ProtocolException(ErrorCode.UNKNOWN_SENDER, "nobody called " + chat.to() + " is in room "
          + self.roomName, chat.requestId());
    }
    events.publish(self.roomId, new RoomEvents.ChatSent(self.name, self.memberId, podId, chat.text(), chat.to(),
        clock.millis()));
  }
}
