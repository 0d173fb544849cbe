package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.MDC;

/**
 * A room's events, from whichever pod published them (this one too), turned into what this pod's
 * participants in the room are told, and what they let go of.
 */
final class RoomEventDelivery {

  private final RoomStore store;
  private final MediaCleanup cleanup;
  private final LoadReporter load;
  private final MemberRecords records;
  private final Departures departures;
  private final ScreenSharing screens;
  private final Broadcast broadcast;
  private final RoomRebuild rebuild;
  private final LocalRooms local;
  private final RoomLocks locks;
  private final String podId;

  RoomEventDelivery(RoomStore store, MediaCleanup cleanup, LoadReporter load, MemberRecords records,
      Departures departures, ScreenSharing screens, Broadcast broadcast, RoomRebuild rebuild, LocalRooms local,
      RoomLocks locks, String podId) {
    this.store = store;
    this.cleanup = cleanup;
    this.load = load;
    this.records = records;
    this.departures = departures;
    this.screens = screens;
    this.broadcast = broadcast;
    this.rebuild = rebuild;
    this.local = local;
    this.locks = locks;
    this.podId = podId;
  }

  /** An event of a room this pod has participants in. */
  void onRoomEvent(String roomId, RoomEvents.RoomEvent event) {
    try (var room = MDC.putCloseable("room", roomId)) {
      deliver(roomId, event);
    }
  }

  private void deliver(String roomId, RoomEvents.RoomEvent event) {
    if (event instanceof RoomEvents.Rebuilt) {
      try (var held = locks.hold(roomId)) {
        local.holdForNewcomers(roomId, event);
      }
      rebuild.takeInLater(roomId, local.told(roomId));
      return;
    }
    RoomEvents.MemberEvent about = (RoomEvents.MemberEvent) event;
    Participant subject;
    // What telling needs of KMS and Redis happens after the lock is released: a slow KMS or Redis
    // must not hold up joins, resumes and leaves of the room on this pod.
    List<Runnable> afterwards = new ArrayList<>();
    try (var held = locks.hold(roomId)) {
      local.holdForNewcomers(roomId, event);
      Participant named = local.get(roomId, about.name());
      subject = named != null && named.memberId.equals(about.memberId()) ? named : null;
      tell(local.told(roomId), subject, about, afterwards);
    }
    afterwards.forEach(Runnable::run);
    if (subject == null || subject.gone) {
      return;
    }
    if (about instanceof RoomEvents.Left) {
      departures.stopServing(subject, false); // a janitor removed it: its wait ran out
    } else if (about instanceof RoomEvents.Moved && !about.pod().equals(podId)
        && store.member(roomId, subject.name).map(m -> !m.pod().equals(podId)).orElse(true)) {
      departures.stopServing(subject, true); // (the record is read again: a resume back here may have followed the move)
    }
  }

  /**
   * Tells a newcomer the room's events that came while it was being added (held for it by {@link
   * LocalRooms#holdForNewcomers}), oldest first, right after its introduction. Call holding the
   * room's lock: events delivered after it is released find the newcomer a participant. What
   * telling needs of KMS and Redis (a resumed participant lets go of what it received from those
   * who left meanwhile) is added to {@code afterwards}, for the caller to run once it released it.
   */
  void catchUp(Participant newcomer, List<RoomEvents.RoomEvent> held, List<Runnable> afterwards) {
    for (RoomEvents.RoomEvent event : held) {
      if (event instanceof RoomEvents.Rebuilt) {
        rebuild.takeInLater(newcomer.roomId, List.of(newcomer));
      } else {
        tell(List.of(newcomer), null, (RoomEvents.MemberEvent) event, afterwards);
      }
    }
  }

  /** What the participants {@code here} are told of an event (the {@code subject}, if here, is not told of itself). */
  private void tell(List<Participant> here, Participant subject, RoomEvents.MemberEvent about,
      List<Runnable> afterwards) {
    List<Participant> others = here.stream().filter(p -> !p.name.equals(about.name())).toList();
    if (about instanceof RoomEvents.MediaChanged media) {
      here.forEach(p -> p.channel.send(new ServerMessage.ParticipantMediaState(media.name(), media.audio(),
          media.video())));
    } else if (about instanceof RoomEvents.ScreenShared screen) {
      others.forEach(p -> screens.changed(p, screen, afterwards));
    } else if (about instanceof RoomEvents.PresenterChanged presenter) {
      if (!presenter.presenting()) {
        others.forEach(p -> broadcast.presenterStopped(p, presenter, afterwards));
      }
    } else if (about instanceof RoomEvents.RecordingChanged recording) {
      here.forEach(p -> p.channel.send(new ServerMessage.Recording(recording.name(), recording.recording(),
          recording.recordingId())));
    } else if (about instanceof RoomEvents.ChatSent chat) {
      here.stream().filter(p -> isAddressedTo(chat, p)).forEach(p -> p.channel.send(
          new ServerMessage.ChatMessage(chat.name(), chat.text(), chat.to(), chat.ts())));
    } else if (about instanceof RoomEvents.Joined || about instanceof RoomEvents.Left) {
      for (Participant p : here) {
        if (p != subject) {
          tellArrivalOrDeparture(p, about, afterwards);
        }
      }
    }
  }

  /** A chat message reaches the whole room, or the addressee and the writer of a direct one. */
  private static boolean isAddressedTo(RoomEvents.ChatSent chat, Participant p) {
    return chat.to() == null || p.name.equals(chat.to()) || p.name.equals(chat.name());
  }

  /**
   * Tells {@code p} that someone joined or left, each once: a name the client knows under an
   * earlier membership is announced as having left before its new membership arrives.
   */
  private void tellArrivalOrDeparture(Participant p, RoomEvents.MemberEvent event, List<Runnable> afterwards) {
    if (p.name.equals(event.name()) && p.memberId.equals(event.memberId())) {
      return;
    }
    String endpoint = null;
    String screen = null;
    boolean arrived = false;
    boolean leftEarlier = false;
    // Where the subscriptions taken out below live: read with them, for a rebuild's take-in may
    // move the participant to another node right after (their release and load count stay there).
    String kmsUrl;
    String nodeId;
    synchronized (p) {
      kmsUrl = p.kmsUrl;
      nodeId = p.nodeId;
      String known = p.known.get(event.name());
      if (event instanceof RoomEvents.Joined) {
        if (!event.memberId().equals(known)) {
          // A name the client knows under an earlier membership left before it rejoined; that
          // leave is announced first, whatever order the events came in.
          leftEarlier = known != null;
          endpoint = leftEarlier ? p.dropSubscription(event.name()) : null;
          p.known.put(event.name(), event.memberId());
          arrived = true;
        }
      } else if (event.memberId().equals(known)) {
        endpoint = p.dropSubscription(event.name());
        screen = p.dropSubscription(Negotiation.key(event.name(), Stream.SCREEN));
        p.pendingCandidates.remove(event.name());
        p.pendingCandidates.remove(Negotiation.key(event.name(), Stream.SCREEN));
        p.known.remove(event.name());
        leftEarlier = true;
      }
    }
    List<String> released = new ArrayList<>(2);
    for (String e : new String[] {endpoint, screen}) {
      if (e != null) {
        released.add(e);
      }
    }
    if (!released.isEmpty()) {
      afterwards.add(() -> {
        released.forEach(e -> cleanup.release(kmsUrl, e));
        BestEffort.run(p.name, p.roomId, () -> load.report(p.roomId, nodeId, -released.size(), 0));
        records.persistBestEffort(p);
      });
    }
    if (leftEarlier) {
      p.channel.send(new ServerMessage.ParticipantLeft(event.name()));
    }
    if (arrived) {
      RoomEvents.Joined joined = (RoomEvents.Joined) event;
      p.channel.send(new ServerMessage.NewParticipantArrived(joined.name(), joined.audio(), joined.video()));
    }
  }
}
