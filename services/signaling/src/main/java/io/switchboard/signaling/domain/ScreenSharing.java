package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;

/** Screen sharing: a second publishing endpoint per participant, and the others told when it starts and stops. */
final class ScreenSharing {

  private final MediaServer media;
  private final MediaCleanup cleanup;
  private final LoadReporter load;
  private final RoomEvents events;
  private final MemberRecords records;
  private final RoomOpener rooms;
  private final Negotiation negotiation;
  private final Grants grants;
  private final String podId;

  ScreenSharing(MediaServer media, MediaCleanup cleanup, LoadReporter load, RoomEvents events, MemberRecords records,
      RoomOpener rooms, Negotiation negotiation, Grants grants, String podId) {
    this.media = media;
    this.cleanup = cleanup;
    this.load = load;
    this.events = events;
    this.records = records;
    this.rooms = rooms;
    this.negotiation = negotiation;
    this.grants = grants;
    this.podId = podId;
  }

  /** {@code publishScreen}: a new endpoint negotiated with the offer; the room is told. */
  void publish(Participant self, ClientMessage.PublishScreen share) {
    grants.requireMayPublish(share.requestId());
    synchronized (self) {
      if (self.screenEndpoint != null || self.screenPending) {
        throw new ProtocolException(ErrorCode.INVALID_SDP, "already sharing a screen", share.requestId());
      }
      self.screenPending = true;
    }
    String endpoint = null;
    try {
      endpoint = media.createEndpoint(self.kmsUrl, rooms.pipelineOf(self), candidate ->
          self.channel.send(new ServerMessage.IceCandidateFound(self.name, candidate, Stream.SCREEN)));
      load.report(self.roomId, self.nodeId, 1, 0);
      negotiation.negotiate(self, endpoint, Negotiation.key(self.name, Stream.SCREEN), null, share.sdpOffer(),
          share.requestId(), answer -> new ServerMessage.ReceiveVideoAnswer(self.name, answer, Stream.SCREEN));
      synchronized (self) {
        self.screenEndpoint = endpoint;
        self.screenPending = false;
        if (!records.write(self)) {
          throw new ProtocolException(ErrorCode.NOT_JOINED, "this session moved to another socket", share.requestId());
        }
      }
    } catch (RuntimeException e) {
      synchronized (self) {
        self.screenEndpoint = null;
        self.screenPending = false;
      }
      if (endpoint != null) {
        cleanup.release(self.kmsUrl, endpoint);
        load.report(self.roomId, self.nodeId, -1, 0);
      }
      throw e;
    }
    events.publish(self.roomId, new RoomEvents.ScreenShared(self.name, self.memberId, podId, true));
  }

  /** {@code unpublishScreen}: the endpoint goes; the others let go of what they received of it. */
  void unpublish(Participant self, ClientMessage.UnpublishScreen stop) {
    String endpoint;
    synchronized (self) {
      endpoint = self.screenEndpoint;
      if (endpoint == null) {
        throw new ProtocolException(ErrorCode.UNKNOWN_STREAM, "no screen is shared", stop.requestId());
      }
      self.screenEndpoint = null;
      records.write(self);
    }
    cleanup.release(self.kmsUrl, endpoint);
    load.report(self.roomId, self.nodeId, -1, 0);
    events.publish(self.roomId, new RoomEvents.ScreenShared(self.name, self.memberId, podId, false));
  }

  /**
   * Someone started or stopped sharing a screen: tell {@code p}, letting go of what it received of
   * it; the KMS release and the record's write go to {@code afterwards}, run once the room's lock
   * is released.
   */
  void changed(Participant p, RoomEvents.ScreenShared event, java.util.List<Runnable> afterwards) {
    if (!event.shared()) {
      String endpoint;
      synchronized (p) {
        endpoint = p.dropSubscription(Negotiation.key(event.name(), Stream.SCREEN));
        p.pendingCandidates.remove(Negotiation.key(event.name(), Stream.SCREEN));
      }
      if (endpoint != null) {
        afterwards.add(() -> {
          cleanup.release(p.kmsUrl, endpoint);
          BestEffort.run(p.name, p.roomId, () -> load.report(p.roomId, p.nodeId, -1, 0));
          records.persistBestEffort(p);
        });
      }
    }
    p.channel.send(new ServerMessage.ScreenShare(event.name(), event.shared()));
  }
}
