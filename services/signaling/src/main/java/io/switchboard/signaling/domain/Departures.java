package io.switchboard.signaling.domain;

import io.switchboard.presence.PresenceType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a participant stops being served here: it leaves the room (its media released, everyone
 * told), or it is no longer this pod's (resumed elsewhere, removed by a janitor) and is let go.
 */
final class Departures {

  private static final Logger log = LoggerFactory.getLogger(Departures.class);

  private final RoomStore store;
  private final PodRegistry pods;
  private final MediaServer media;
  private final MediaCleanup cleanup;
  private final LoadReporter load;
  private final RoomEvents events;
  private final PresenceNotes presence;
  private final RoomOpener rooms;
  private final LocalRooms local;
  private final RoomLocks locks;
  private final String podId;

  Departures(RoomStore store, PodRegistry pods, MediaServer media, MediaCleanup cleanup, LoadReporter load,
      RoomEvents events, PresenceNotes presence, RoomOpener rooms, LocalRooms local, RoomLocks locks, String podId) {
    this.store = store;
    this.pods = pods;
    this.media = media;
    this.cleanup = cleanup;
    this.load = load;
    this.events = events;
    this.presence = presence;
    this.rooms = rooms;
    this.local = local;
    this.locks = locks;
    this.podId = podId;
  }

  /** The participant leaves its room; the room closes when it was the last member. */
  void leave(Participant self) {
    synchronized (self) {
      if (self.gone) {
        return;
      }
      self.gone = true;
      self.detached = false;
    }
    RoomStore.Removal removal;
    try {
      removal = store.removeMember(self.roomId, self.name, self.memberId, podId);
    } catch (RuntimeException e) {
      synchronized (self) {
        self.gone = false; // still a member: the client may leave again
      }
      throw e;
    }
    long left = removal.left();
    if (!removal.done()) {
      // No longer this pod's (it resumed elsewhere, or a janitor removed it): nothing here to release.
      stopServing(self, false);
      return;
    }
    // Presence hears it now, before the slow releases: a rejoin under the same name comes after.
    presence.send(PresenceType.PARTICIPANT_LEFT, self.roomId, null, self.name, self.nodeId, null, null, "left",
        removal.sequence());
    // Removed: from here on every step is tried, whatever fails before it; nobody else will.
    BestEffort.run(self.name, self.roomId, () -> pods.unserve(podId, self.entry()));
    BestEffort.run(self.name, self.roomId, () -> pods.unpark(self.entry()));
    BestEffort.run(self.name, self.roomId, () -> store.deleteSession(self.tokenHash));
    List<String> endpoints;
    String publisher;
    String recorder;
    String recordingUri;
    synchronized (self) {
      endpoints = self.record(podId).endpoints();
      publisher = self.publisherEndpoint;
      recorder = self.recorder;
      recordingUri = self.recordingUri;
      self.subscriptions.clear();
      self.screenEndpoint = null;
      self.recorder = null;
      self.recordingUri = null;
    }
    BestEffort.run(self.name, self.roomId, () -> {
      if (store.releasePresenter(self.roomId, self.presenterClaim())) {
        events.publish(self.roomId, new RoomEvents.PresenterChanged(self.name, self.memberId, podId, false));
      }
    });
    if (recorder != null) {
      cleanup.finishRecording(self.kmsUrl, recorder);
      endpoints.add(recorder); // counted with the rest in the load report
      BestEffort.run(self.name, self.roomId, () -> events.publish(self.roomId,
          new RoomEvents.RecordingChanged(self.name, self.memberId, podId, false, recordingUri)));
    }
    endpoints.stream().filter(e -> !e.equals(recorder)).forEach(e -> cleanup.release(self.kmsUrl, e));
    BestEffort.run(self.name, self.roomId, () -> load.report(self.roomId, self.nodeId, -endpoints.size(), -1));
    if (!java.util.Objects.equals(removal.removed().publisher(), publisher)) {
      // The room's media was rebuilt on another node and this pod had not taken the new endpoint
      // in yet: what the record held there is released too, and that node's load counted down.
      BestEffort.run(self.name, self.roomId, () -> releaseRebuilt(self, removal.removed()));
    }
    // Everyone in the room hears it, on whichever pod they are; the others release what they
    // received from the one who left.
    BestEffort.run(self.name, self.roomId, () -> events.publish(self.roomId, new RoomEvents.Left(self.name,
        self.memberId, podId)));
    BestEffort.run(self.name, self.roomId, () -> forget(self));
    log.info("{} left room {} ({} remain)", self.name, self.roomId, left);
    if (left == 0) {
      BestEffort.run(self.name, self.roomId, () -> rooms.closeIfEmpty(self.roomId));
    }
  }

  /** Releases the endpoints a rebuild gave a participant who left before this pod took them in. */
  private void releaseRebuilt(Participant self, RoomStore.MemberRecord removed) {
    store.room(self.roomId).filter(room -> !room.kmsUrl().equals(self.kmsUrl)).ifPresent(room -> {
      List<String> rebuilt = removed.endpoints();
      rebuilt.forEach(e -> cleanup.release(room.kmsUrl(), e));
      load.report(self.roomId, room.nodeId(), -rebuilt.size(), -1);
    });
  }

  /** A leave that must not throw (the caller is already failing); what it cannot do, the janitor does. */
  void leaveBestEffort(Participant self) {
    try {
      leave(self);
    } catch (RuntimeException e) {
      log.warn("{} of room {} could not leave now: {}", self.name, self.roomId, e.toString());
    }
  }

  /**
   * The participant is no longer this pod's: it resumed on another pod ({@code moved}), or a
   * janitor removed it. Its endpoints are not released here; this pod only stops listening to
   * them, and closes the participant's socket if it is still open.
   */
  void stopServing(Participant self, boolean moved) {
    List<String> endpoints = new ArrayList<>();
    ClientChannel open;
    synchronized (self) {
      self.gone = true;
      open = self.detached ? null : self.channel;
      self.detached = false;
      endpoints.addAll(self.record(podId).endpoints());
    }
    forget(self);
    String kmsUrl = self.kmsUrl;
    // The listeners now, so that a later resume back onto this pod, with listeners of its own,
    // keeps them however late this runs.
    Map<String, Object> listeners = new HashMap<>();
    endpoints.forEach(e -> {
      Object l = media.listener(kmsUrl, e);
      if (l != null) {
        listeners.put(e, l);
      }
    });
    cleanup.later(() -> listeners.forEach((e, l) -> media.unlisten(kmsUrl, e, l)));
    if (open != null) {
      if (moved) {
        open.closeReplaced("resumed on another signaling pod");
      } else {
        open.closeEnded("the session ended: join again");
      }
    }
    log.info("{} in room {} is no longer served here ({})", self.name, self.roomId,
        moved ? "resumed elsewhere" : "removed");
  }

  /** Takes a participant out of this pod's rooms, unfollowing the room when it was the last here. */
  private void forget(Participant self) {
    try (var held = locks.hold(self.roomId)) {
      local.remove(self);
    }
  }
}
