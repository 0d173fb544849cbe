package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;

/**
 * Broadcast rooms as Kurento's one2many tutorial has them: one presenter at a time, viewers who
 * receive it, and {@code stop} for either.
 */
final class Broadcast {

  private final RoomStore store;
  private final MediaServer media;
  private final MediaCleanup cleanup;
  private final LoadReporter load;
  private final RoomEvents events;
  private final MemberRecords records;
  private final RoomOpener rooms;
  private final Negotiation negotiation;
  private final Grants grants;
  private final String podId;

  Broadcast(RoomStore store, MediaServer media, MediaCleanup cleanup, LoadReporter load, RoomEvents events,
      MemberRecords records, RoomOpener rooms, Negotiation negotiation, Grants grants, String podId) {
    this.store = store;
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

  private static String presenterName(String claim) {
    return claim.substring(claim.indexOf(' ') + 1);
  }

  /**
   * {@code presenter}: this participant becomes the room's one presenter, its camera answered as
   * {@code presenterResponse}. A refusal is a {@code presenterResponse} rejected (what Kurento's
   * one2many client understands) and an {@code error}.
   */
  void presenter(Participant self, ClientMessage.Presenter present) {
    String who = self.presenterClaim();
    try {
      grants.requireMayPublish(present.requestId());
      synchronized (self) {
        if (self.publishing) {
          throw new ProtocolException(ErrorCode.NOT_ALLOWED, store.presenter(self.roomId).filter(who::equals)
              .isPresent() ? "already presenting" : "your camera is published already: stop, then present",
              present.requestId());
        }
      }
      if (!store.claimPresenter(self.roomId, who)) {
        String current = store.presenter(self.roomId).map(Broadcast::presenterName).orElse("someone");
        throw new ProtocolException(ErrorCode.NOT_ALLOWED, current + " is presenting", present.requestId());
      }
      try {
        negotiation.publish(self, present.sdpOffer(), present.requestId(),
            answer -> new ServerMessage.BroadcastResponse(true, true, answer, null));
      } catch (RuntimeException e) {
        BestEffort.run(self.name, self.roomId, () -> store.releasePresenter(self.roomId, who));
        throw e;
      }
    } catch (ProtocolException e) {
      self.channel.send(new ServerMessage.BroadcastResponse(true, false, null, e.getMessage()));
      throw e;
    }
    events.publish(self.roomId, new RoomEvents.PresenterChanged(self.name, self.memberId, podId, true));
  }

  /** {@code viewer}: receive the presenter, answered as {@code viewerResponse}. */
  void viewer(Participant self, ClientMessage.Viewer view) {
    try {
      String presenter = store.presenter(self.roomId).map(Broadcast::presenterName)
          .orElseThrow(() -> new ProtocolException(ErrorCode.UNKNOWN_SENDER, "nobody is presenting in room "
              + self.roomName, view.requestId()));
      if (presenter.equals(self.name)) {
        throw new ProtocolException(ErrorCode.UNKNOWN_SENDER, "you are the presenter", view.requestId());
      }
      negotiation.subscribe(self, presenter, Stream.WEBCAM, view.sdpOffer(), view.requestId(),
          answer -> new ServerMessage.BroadcastResponse(false, true, answer, null));
    } catch (ProtocolException e) {
      self.channel.send(new ServerMessage.BroadcastResponse(false, false, null, e.getMessage()));
      throw e;
    }
  }

  /**
   * {@code stop}: a presenter stops presenting (its viewers get {@code stopCommunication}, and its
   * camera's endpoint starts afresh so it can present again); a viewer stops viewing.
   */
  void stop(Participant self, ClientMessage.Stop stop) {
    if (store.releasePresenter(self.roomId, self.presenterClaim())) {
      renewPublisher(self);
      events.publish(self.roomId, new RoomEvents.PresenterChanged(self.name, self.memberId, podId, false));
      return;
    }
    String presenter = store.presenter(self.roomId).map(Broadcast::presenterName).orElse(null);
    String endpoint;
    synchronized (self) {
      endpoint = presenter == null ? null : self.subscriptions.remove(presenter);
    }
    if (endpoint == null) {
      throw new ProtocolException(ErrorCode.UNKNOWN_STREAM, "neither presenting nor viewing", stop.requestId());
    }
    cleanup.release(self.kmsUrl, endpoint);
    BestEffort.run(self.name, self.roomId, () -> load.report(self.roomId, self.nodeId, -1, 0));
    records.persistBestEffort(self);
  }

  /** Replaces the participant's camera endpoint with a new one, not negotiated yet. */
  private void renewPublisher(Participant self) {
    String fresh = media.createEndpoint(self.kmsUrl, rooms.pipelineOf(self), c ->
        self.channel.send(new ServerMessage.IceCandidateFound(self.name, c, Stream.WEBCAM)));
    String old;
    synchronized (self) {
      old = self.publisherEndpoint;
      self.publisherEndpoint = fresh;
      self.publishing = false;
      if (!store.replaceMember(self.roomId, self.name, podId, old, self.record(podId))) {
        self.publisherEndpoint = old;
        cleanup.release(self.kmsUrl, fresh);
        throw new ProtocolException(ErrorCode.NOT_JOINED, "this session moved to another socket", null);
      }
    }
    cleanup.release(self.kmsUrl, old);
  }

  /**
   * The presenter stopped: {@code p} lets go of what it received, and is told if it was viewing;
   * the KMS release and the record's write go to {@code afterwards}, run once the room's lock is
   * released.
   */
  void presenterStopped(Participant p, RoomEvents.PresenterChanged event, java.util.List<Runnable> afterwards) {
    String endpoint;
    synchronized (p) {
      endpoint = p.dropSubscription(event.name());
      p.pendingCandidates.remove(event.name());
    }
    if (endpoint != null) {
      p.channel.send(new ServerMessage.StopCommunication());
      afterwards.add(() -> {
        cleanup.release(p.kmsUrl, endpoint);
        BestEffort.run(p.name, p.roomId, () -> load.report(p.roomId, p.nodeId, -1, 0));
        records.persistBestEffort(p);
      });
    }
  }
}
