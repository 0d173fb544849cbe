package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.Grant;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;

/** What a message may do: the room's limits, and the grants of the join token of the socket it came on. */
final class Grants {

  private final RoomLimits limits;

  Grants(RoomLimits limits) {
    this.limits = limits;
  }

  /** Refuses a message that sends media in a room that allows none. */
  void requireMayPublish(String requestId) {
    if (!limits.mayPublish()) {
      throw new ProtocolException(ErrorCode.NOT_ALLOWED, "sending media is not allowed in this room", requestId);
    }
  }

  /**
   * The sending socket's join token must grant what the message does (always so without a token).
   * Judged by the socket the message came on, not the participant's current one: a resume may
   * have moved the participant to a socket with other grants meanwhile.
   */
  void require(Participant self, ClientChannel channel, ClientMessage message) {
    Access access = channel.access();
    if (!access.restricted()) {
      return;
    }
    if (message instanceof ClientMessage.ReceiveVideoFrom receive) {
      boolean own = receive.sender().equals(self.name);
      requireGrant(access, own ? Grant.PUBLISH : Grant.SUBSCRIBE,
          own ? "sending media" : "receiving others' media", receive.requestId());
    } else if (message instanceof ClientMessage.PublishScreen share) {
      requireGrant(access, Grant.PUBLISH, "sharing a screen", share.requestId());
    } else if (message instanceof ClientMessage.StartRecording start) {
      requireGrant(access, Grant.RECORD, "recording", start.requestId());
    } else if (message instanceof ClientMessage.Presenter present) {
      try {
        requireGrant(access, Grant.PUBLISH, "presenting", present.requestId());
        requireGrant(access, Grant.PRESENTER, "presenting", present.requestId());
      } catch (ProtocolException e) {
        channel.send(new ServerMessage.BroadcastResponse(true, false, null, e.getMessage()));
        throw e;
      }
    } else if (message instanceof ClientMessage.Viewer view) {
      try {
        requireGrant(access, Grant.SUBSCRIBE, "viewing the presenter", view.requestId());
      } catch (ProtocolException e) {
        channel.send(new ServerMessage.BroadcastResponse(false, false, null, e.getMessage()));
        throw e;
      }
    }
  }

  private static void requireGrant(Access access, Grant grant, String what, String requestId) {
    if (!access.may(grant)) {
      throw new ProtocolException(ErrorCode.NOT_ALLOWED, what + " needs the " + grant.wire()
          + " grant, which your join token lacks", requestId);
    }
  }
}
