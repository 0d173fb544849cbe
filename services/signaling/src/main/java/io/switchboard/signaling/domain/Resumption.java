package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import io.switchboard.presence.PresenceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code resume}: a new socket takes a session over with its token, on this pod or from another
 * (alive, dead, or this pod before a restart), its media untouched.
 */
final class Resumption {

  private static final Logger log = LoggerFactory.getLogger(Resumption.class);

  private final RoomStore store;
  private final PodRegistry pods;
  private final MediaServer media;
  private final MediaCleanup cleanup;
  private final LoadReporter load;
  private final RoomEvents events;
  private final PresenceNotes presence;
  private final MemberRecords records;
  private final Parking parking;
  private final Departures departures;
  private final RoomRebuild rebuild;
  private final CallObserver observer;
  private final LocalRooms local;
  private final RoomLocks locks;
  private final String podId;
  private final LocalRooms.CatchUp catchUp;

  /** {@code catchUp} tells a resumed participant the events held for it while it was resumed. */
  Resumption(RoomStore store, PodRegistry pods, MediaServer media, MediaCleanup cleanup, LoadReporter load,
      RoomEvents events, PresenceNotes presence, MemberRecords records, Parking parking, Departures departures,
      RoomRebuild rebuild, CallObserver observer, LocalRooms local, RoomLocks locks, String podId,
      LocalRooms.CatchUp catchUp) {
    this.store = store;
    this.pods = pods;
    this.media = media;
    this.cleanup = cleanup;
    this.load = load;
    this.events = events;
    this.presence = presence;
    this.records = records;
    this.parking = parking;
    this.departures = departures;
    this.rebuild = rebuild;
    this.observer = observer;
    this.local = local;
    this.locks = locks;
    this.podId = podId;
    this.catchUp = catchUp;
  }

  private static ProtocolException ended(String message, String requestId) {
    return new ProtocolException(ErrorCode.INVALID_TOKEN, message, requestId);
  }

  /** Resumes the session the token names; the participant this socket now is. */
  Participant resume(ClientMessage.Resume resume, ClientChannel channel) {
    String tokenHash = SessionTokens.hash(resume.token());
    RoomStore.SessionRecord session = store.session(tokenHash).orElseThrow(() ->
        ended("unknown or expired session; join again", resume.requestId()));
    RoomStore.MemberRecord member = store.member(session.roomId(), session.name())
        .filter(m -> m.session().equals(tokenHash))
        .orElseThrow(() -> ended("the session has ended; join again", resume.requestId()));
    String refused = channel.access().refusesJoin(
        session.roomName() == null ? session.roomId() : session.roomName(), session.name());
    if (refused != null) {
      throw new ProtocolException(ErrorCode.NOT_ALLOWED, refused, resume.requestId());
    }
    // Every resume spends its token and hands out a new one: a token that leaked (a log, a
    // shoulder) is good until its owner next resumes, not for the session's whole life.
    String fresh = SessionTokens.newToken();
    String freshHash = SessionTokens.hash(fresh);
    store.saveSession(freshHash, session, Joins.SESSION_TTL);
    Participant here = local.get(session.roomId(), session.name());
    Participant p;
    try {
      p = here != null && here.memberId.equals(member.id()) && member.pod().equals(podId)
          ? resumeHere(here, channel, fresh, resume.requestId())
          : takeOver(member, session, tokenHash, fresh, channel, resume.requestId());
    } catch (RuntimeException e) {
      BestEffort.run(session.name(), session.roomId(), () -> store.deleteSession(freshHash));
      throw e;
    }
    BestEffort.run(p.name, p.roomId, () -> store.deleteSession(tokenHash));
    log.info("{} resumed in room {}", p.name, p.roomId);
    return p;
  }

  /**
   * The participant is this pod's: the new socket takes the old one's place. No Redis round trip
   * is made holding the room's lock: the room's events are held for the participant (not told to
   * either socket) from before its members are read until it is introduced again.
   */
  private Participant resumeHere(Participant p, ClientChannel channel, String fresh, String requestId) {
    becomeNewcomer(p, requestId);
    ClientChannel replaced;
    Map<String, RoomStore.MemberRecord> members;
    try {
      members = store.members(p.roomId);
      synchronized (p) {
        if (p.gone) {
          throw ended("the session has ended; join again", requestId);
        }
        long until = p.parkedUntil;
        String spent = p.tokenHash;
        if (p.detached) {
          p.parkedUntil = 0;
        }
        p.tokenHash = SessionTokens.hash(fresh);
        if (!records.write(p)) {
          p.parkedUntil = until;
          p.tokenHash = spent;
          throw ended("the session has ended; join again", requestId);
        }
        if (p.detached) {
          try {
            pods.unpark(p.entry());
          } catch (RuntimeException e) {
            // Not resumed after all: the token the client holds must still be the one that works.
            p.parkedUntil = until;
            p.tokenHash = spent;
            BestEffort.run(p.name, p.roomId, () -> records.write(p));
            throw e;
          }
        }
        // The socket changes with the token: a close of the old one from here on parks nobody.
        replaced = p.detached ? null : p.channel;
        p.detached = false;
        p.channel = channel;
      }
    } catch (RuntimeException e) {
      abandon(p);
      throw e;
    }
    // Presence hears it before the client does: whatever the client does next comes after.
    presence.send(PresenceType.PARTICIPANT_RESUMED, p.roomId, p.name, p.nodeId, null, null, null);
    try {
      introduce(p, members, fresh, requestId);
    } finally {
      if (replaced != null) {
        // Its socket was still open: one socket speaks for a participant, so the old one goes.
        replaced.closeReplaced("resumed on another socket");
      }
    }
    observer.resumed(false);
    return p;
  }

  /**
   * From now on the room's events are held for {@code p} (following the room if nobody here is in
   * it); refused while another resume of the same membership is under way here.
   */
  private void becomeNewcomer(Participant p, String requestId) {
    try (var held = locks.hold(p.roomId)) {
      if (local.isNewcomer(p.roomId, p.name, p.memberId)) {
        throw new ProtocolException(ErrorCode.UNAVAILABLE, "the session is being resumed on another socket; "
            + "resume again", requestId);
      }
      local.followForNewcomer(p.roomId);
      local.addNewcomer(p);
    }
  }

  /** Events are no longer held for {@code p}, which was not resumed here; the room unfollowed if nobody is in it. */
  private void abandon(Participant p) {
    try (var held = locks.hold(p.roomId)) {
      local.abandonNewcomer(p);
    } catch (RuntimeException e) {
      log.warn("{} in room {}: room not unfollowed: {}", p.name, p.roomId, e.toString());
    }
  }

  /**
   * Under the room's lock, so the client hears of each participant once: it is told it resumed,
   * the room's {@code members} as read after its events were held, then what came meanwhile; from
   * then on it is told the room's events as they come.
   */
  private void introduce(Participant p, Map<String, RoomStore.MemberRecord> members, String fresh,
      String requestId) {
    List<Runnable> afterwards = new ArrayList<>();
    try (var held = locks.hold(p.roomId)) {
      if (p.gone) {
        // Let go meanwhile (removed by a janitor, or resumed elsewhere): it must not be added back.
        local.abandonNewcomer(p);
        throw ended("the session has ended; join again", requestId);
      }
      supersede(p);
      List<RoomEvents.RoomEvent> meanwhile = local.admit(p);
      List<ServerMessage.ParticipantState> existing;
      synchronized (p) {
        p.known.clear();
        existing = records.introduce(p, members);
      }
      p.channel.send(new ServerMessage.Resumed(p.name, p.roomName));
      p.channel.send(new ServerMessage.Session(fresh));
      p.channel.send(new ServerMessage.ExistingParticipants(existing));
      catchUp.catchUp(p, meanwhile, afterwards);
      // Under the lock too: it tells the client every other participant left and came again, which
      // must not cross their events (Redis is read here only in the rare case the media moved).
      rebuild.tellIfMediaMoved(p);
    } finally {
      afterwards.forEach(Runnable::run);
    }
  }

  /** This pod's participant of that name from before, if any, is gone: the record moved on without it. */
  private void supersede(Participant p) {
    Participant previous = local.get(p.roomId, p.name);
    if (previous != null && previous != p) {
      synchronized (previous) {
        previous.gone = true;
      }
    }
  }

  /**
   * The participant is another pod's (alive or dead) or this pod's from before a restart: this
   * pod takes its record over, then listens to its endpoints itself (KMS sends an object's events
   * only to sessions that subscribed). Its media never stopped: no SDP is exchanged again. No
   * Redis or KMS round trip is made holding the room's lock: the participant is a newcomer here
   * (its events held, and no janitor parks it) from before its record is taken until it is
   * introduced.
   */
  private Participant takeOver(RoomStore.MemberRecord member, RoomStore.SessionRecord session, String spentHash,
      String fresh, ClientChannel channel, String requestId) {
    RoomStore.RoomRecord room = store.room(session.roomId())
        .orElseThrow(() -> ended("the room has closed; join again", requestId));
    Participant p = new Participant(session.name(), session.roomId(), session.roomName(), room.nodeId(),
        room.kmsUrl(), member.id(), member.joinedAt(), channel, member.publisher(), SessionTokens.hash(fresh));
    p.pipelineId = room.pipelineId();
    synchronized (p) {
      p.publishing = member.publishing();
      p.mediaMoved = member.mediaMoved();
      p.audio = member.audio();
      p.video = member.video();
      p.subscriptions.putAll(member.subscriptions());
      p.screenEndpoint = member.screen();
      p.recorder = member.recorder();
      p.recordingUri = member.recordingUri();
    }
    becomeNewcomer(p, requestId);
    try {
      // Noted before it is ours: should this pod die from here on, a janitor finds it.
      pods.serve(podId, p.entry());
      boolean ours;
      synchronized (p) {
        ours = store.replaceMember(p.roomId, p.name, member.pod(), member.publisher(), p.record(podId));
      }
      if (!ours) {
        throw new ProtocolException(ErrorCode.UNAVAILABLE, "the session changed while resuming; resume again",
            requestId);
      }
    } catch (RuntimeException e) {
      abandon(p);
      throw e;
    }
    try {
      supersede(p); // at once: it must not write its record over the one taken
      if (!member.pod().equals(podId)) {
        pods.unserve(member.pod(), p.entry());
      }
      pods.unpark(p.entry());
      Map<String, RoomStore.MemberRecord> members = store.members(p.roomId);
      listenToMedia(p, members, requestId);
      // Presence hears it before the client does: whatever the client does next comes after.
      presence.send(PresenceType.PARTICIPANT_RESUMED, p.roomId, p.name, p.nodeId, null, null, null);
      introduce(p, members, fresh, requestId);
    } catch (RuntimeException e) {
      if (p.gone) {
        abandon(p); // it left (its media is gone): nothing of it stays here
      } else {
        // It is ours, but the socket was not told so: it waits for another resume, parked,
        // under the token the client still holds.
        synchronized (p) {
          p.tokenHash = spentHash;
          p.detached = true;
          p.parkedUntil = parking.deadline();
        }
        try (var held = locks.hold(p.roomId)) {
          local.admit(p); // what it missed meanwhile it hears of when it resumes: it is introduced again
        }
        parking.park(p);
        publishMoved(p);
      }
      throw e;
    }
    publishMoved(p);
    observer.resumed(true);
    return p;
  }

  /**
   * Listens to a taken-over participant's endpoints: its camera, its screen, and what it receives
   * (of the room's {@code members}).
   */
  private void listenToMedia(Participant p, Map<String, RoomStore.MemberRecord> members, String requestId) {
    try {
      media.listen(p.kmsUrl, p.publisherEndpoint,
          c -> p.channel.send(new ServerMessage.IceCandidateFound(p.name, c, Stream.WEBCAM)));
    } catch (MediaServer.MediaException e) {
      if (!e.refused()) {
        throw e;
      }
      log.warn("{} in room {} cannot resume: its endpoint {} is gone", p.name, p.roomId, p.publisherEndpoint);
      departures.leave(p);
      throw ended("the session's media is gone; join again", requestId);
    }
    if (p.screenEndpoint != null) {
      try {
        media.listen(p.kmsUrl, p.screenEndpoint,
            c -> p.channel.send(new ServerMessage.IceCandidateFound(p.name, c, Stream.SCREEN)));
      } catch (MediaServer.MediaException e) {
        if (!e.refused()) {
          throw e;
        }
        synchronized (p) {
          p.screenEndpoint = null; // gone: the others are told it stopped
          records.write(p);
        }
        events.publish(p.roomId, new RoomEvents.ScreenShared(p.name, p.memberId, podId, false));
      }
    }
    listenToSubscriptions(p, members);
  }

  /** The pod that served the participant lets it go (closing the old socket if it is still open). */
  private void publishMoved(Participant p) {
    BestEffort.run(p.name, p.roomId, () -> events.publish(p.roomId, new RoomEvents.Moved(p.name, p.memberId,
        podId)));
  }

  /**
   * Listens to a taken-over participant's subscriptions; those whose sender left meanwhile (its
   * old pod was not there to release them) are released.
   */
  private void listenToSubscriptions(Participant p, Map<String, RoomStore.MemberRecord> members) {
    Map<String, String> subscriptions;
    synchronized (p) {
      subscriptions = Map.copyOf(p.subscriptions);
    }
    boolean changed = false;
    for (Map.Entry<String, String> s : subscriptions.entrySet()) {
      String key = s.getKey();
      Stream stream = key.endsWith("#screen") ? Stream.SCREEN : Stream.WEBCAM;
      String sender = stream == Stream.SCREEN ? key.substring(0, key.length() - "#screen".length()) : key;
      RoomStore.MemberRecord source = members.get(sender);
      boolean kept = source != null && (stream == Stream.WEBCAM || source.screen() != null);
      if (kept) {
        try {
          media.listen(p.kmsUrl, s.getValue(),
              c -> p.channel.send(new ServerMessage.IceCandidateFound(sender, c, stream)));
        } catch (MediaServer.MediaException e) {
          if (!e.refused()) {
            throw e;
          }
          kept = false;
        }
      }
      if (!kept) {
        cleanup.release(p.kmsUrl, s.getValue());
        load.report(p.roomId, p.nodeId, -1, 0);
        synchronized (p) {
          p.subscriptions.remove(key);
        }
        changed = true;
      }
    }
    if (changed) {
      records.persist(p);
    }
  }
}
