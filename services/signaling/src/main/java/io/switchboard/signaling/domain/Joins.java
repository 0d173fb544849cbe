package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import io.switchboard.presence.PresenceType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code joinRoom}: a participant becomes a member of a room (opening it if it is the first), with
 * a publisher endpoint, a resume token, and an introduction to the room's other members.
 */
final class Joins {

  private static final Logger log = LoggerFactory.getLogger(Joins.class);
  /**
   * A join that finds its room closing under it starts over, this many times in all, after a short
   * random pause: joins and leaves racing in step (a 1:1 call whose other side keeps reconnecting)
   * fall out of step instead of colliding again.
   */
  static final int ATTEMPTS = 5;
  private static final int RETRY_PAUSE_MAX_MILLIS = 25;
  /** How long a resume token is remembered at most (it is deleted when its participant leaves). */
  static final Duration SESSION_TTL = Duration.ofHours(24);

  private final RoomStore store;
  private final PodRegistry pods;
  private final MediaServer media;
  private final MediaCleanup cleanup;
  private final LoadReporter load;
  private final RoomEvents events;
  private final PresenceNotes presence;
  private final RoomOpener rooms;
  private final MemberRecords records;
  private final Departures departures;
  private final LocalRooms local;
  private final RoomLocks locks;
  private final Clock clock;
  private final String podId;
  private final int maxParticipants;
  private final RoomOpener.Pause pause;
  private final LocalRooms.CatchUp catchUp;
  private final Executor alongside;

  /**
   * {@code catchUp} tells a newcomer the events held for it while it was added; {@code alongside}
   * runs the Redis writes a join makes while KMS makes its endpoint.
   */
  Joins(RoomStore store, PodRegistry pods, MediaServer media, MediaCleanup cleanup, LoadReporter load,
      RoomEvents events, PresenceNotes presence, RoomOpener rooms, MemberRecords records, Departures departures,
      LocalRooms local, RoomLocks locks, Clock clock, RoomOpener.Pause pause, String podId, int maxParticipants,
      LocalRooms.CatchUp catchUp, Executor alongside) {
    this.store = store;
    this.pods = pods;
    this.media = media;
    this.cleanup = cleanup;
    this.load = load;
    this.events = events;
    this.presence = presence;
    this.rooms = rooms;
    this.records = records;
    this.departures = departures;
    this.local = local;
    this.locks = locks;
    this.clock = clock;
    this.podId = podId;
    this.maxParticipants = maxParticipants;
    this.pause = pause;
    this.catchUp = catchUp;
    this.alongside = alongside;
  }

  /** Joins, starting over when the room closed under the attempt; the participant this socket now is. */
  Participant join(ClientMessage.JoinRoom join, ClientChannel channel) {
    for (int attempt = 1; ; attempt++) {
      Optional<Participant> joined = tryJoin(join, channel, attempt == 1);
      if (joined.isPresent()) {
        return joined.get();
      }
      if (attempt == ATTEMPTS) {
        throw new ProtocolException(ErrorCode.UNAVAILABLE, "room " + join.room() + " kept closing while joining; retry",
            join.requestId());
      }
      log.info("room {} closed while {} was joining it; joining again", join.room(), join.name());
      pause.pause(Duration.ofMillis(1 + ThreadLocalRandom.current().nextInt(RETRY_PAUSE_MAX_MILLIS)));
    }
  }

  /**
   * One attempt at a join; empty when the room closed (its last member left, on any pod) between
   * reading its record and becoming a member, in which case nothing of the attempt is left.
   */
  private Optional<Participant> tryJoin(ClientMessage.JoinRoom join, ClientChannel channel, boolean first) {
    String roomId = RoomIds.of(join.room());
    // Into a room someone here is in, a first attempt takes the room's media from them: one Redis
    // round trip less. Should the room have closed or moved meanwhile, the addition says so and
    // the next attempt reads the store.
    Optional<RoomStore.RoomRecord> known = first ? local.media(roomId) : Optional.empty();
    RoomStore.RoomRecord room = known.isPresent() ? known.get()
        : rooms.open(roomId, join.room(), join.requestId(), channel.opener());
    String token = SessionTokens.newToken();
    String tokenHash = SessionTokens.hash(token);
    String memberId = Ids.fresh();
    PodRegistry.Entry entry = new PodRegistry.Entry(roomId, join.name(), memberId);
    // From its note in this pod's index until it is a newcomer, a janitor round here leaves it be.
    local.joining(memberId);
    String publisher;
    Participant self;
    try {
      // While KMS makes the endpoint, Redis notes the session and that this pod serves the member
      // (should this pod die from here on, a janitor finds it): three round trips in the time of one.
      CompletableFuture<Void> saved = CompletableFuture.runAsync(() ->
          store.saveSession(tokenHash, new RoomStore.SessionRecord(roomId, join.name(), join.room()), SESSION_TTL),
          alongside);
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> pods.serve(podId, entry), alongside);
      // Like the tutorial, the publisher endpoint exists from the join on, so others can subscribe
      // to it at once; its candidates go to its owner as iceCandidate{name: own name}.
      // Candidates go to whichever socket serves the participant when they come (a resume moves it).
      AtomicReference<Participant> owner = new AtomicReference<>();
      try {
        publisher = media.createEndpoint(room.kmsUrl(), room.pipelineId(), candidate -> {
          Participant p = owner.get();
          (p == null ? channel : p.channel).send(new ServerMessage.IceCandidateFound(join.name(), candidate,
              Stream.WEBCAM));
        });
      } catch (RuntimeException e) {
        forgetNotes(join.name(), roomId, tokenHash, entry, saved, served);
        if (!store.room(roomId).equals(Optional.of(room))) {
          return Optional.empty(); // closed meanwhile, and its pipeline released with it
        }
        // A room this join just opened must not outlive the failed join.
        if (store.members(roomId).isEmpty()) {
          rooms.closeIfEmpty(roomId);
        }
        throw e;
      }
      self = new Participant(join.name(), roomId, join.room(), room.nodeId(), room.kmsUrl(), memberId,
          clock.millis(), channel, publisher, tokenHash);
      self.pipelineId = room.pipelineId();
      owner.set(self);
      try {
        saved.join();
        served.join();
      } catch (CompletionException e) {
        forgetNotes(join.name(), roomId, tokenHash, entry, saved, served);
        cleanup.release(room.kmsUrl(), publisher);
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
      // Follow the room before becoming a member: every join published after ours is heard (and
      // held for the newcomer until it is introduced), and every one before it is in the member
      // list the addition answers with.
      try (var held = locks.hold(roomId)) {
        local.followForNewcomer(roomId);
        local.addNewcomer(self);
      } catch (RuntimeException e) {
        BestEffort.run(join.name(), roomId, () -> store.deleteSession(self.tokenHash));
        BestEffort.run(join.name(), roomId, () -> pods.unserve(podId, self.entry()));
        cleanup.release(room.kmsUrl(), publisher);
        throw e;
      }
    } finally {
      local.joined(memberId);
    }
    // Not under the room's lock: the room's events and its other joins on this pod go on meanwhile.
    RoomStore.Admission admission;
    try {
      synchronized (self) {
        admission = store.admit(roomId, room.pipelineId(), join.name(), self.record(podId), maxParticipants);
      }
    } catch (RuntimeException e) {
      // Whether Redis added the member is unknown: the entry in this pod's index stays, so
      // the janitor parks (and in time removes) a member that did make it.
      abandon(self);
      BestEffort.run(join.name(), roomId, () -> store.deleteSession(self.tokenHash));
      cleanup.release(room.kmsUrl(), publisher);
      throw e;
    }
    if (admission.added() != RoomStore.Added.ADDED) {
      abandon(self);
      store.deleteSession(self.tokenHash);
      pods.unserve(podId, self.entry());
      cleanup.release(room.kmsUrl(), publisher);
      if (admission.added() == RoomStore.Added.ROOM_GONE) {
        return Optional.empty();
      }
      if (admission.added() == RoomStore.Added.ROOM_FULL) {
        if (store.members(roomId).isEmpty()) {
          rooms.closeIfEmpty(roomId); // a limit of 0: the room this join opened must not stay
        }
        throw new ProtocolException(ErrorCode.ROOM_FULL, "room " + join.room() + " has " + maxParticipants
            + " participants, as many as it may", join.requestId());
      }
      throw new ProtocolException(ErrorCode.NAME_TAKEN, "someone in room " + join.room() + " is already called "
          + join.name(), join.requestId());
    }
    // Before the client hears it joined: presence follows what clients see.
    presence.send(PresenceType.PARTICIPANT_JOINED, roomId, join.room(), join.name(), room.nodeId(), true, true,
        null, admission.sequence());
    // Under the room's lock, so the client hears of each participant once: in existingParticipants
    // (the members as the addition found them), then in what came meanwhile, then as it comes.
    List<Runnable> afterwards = new ArrayList<>();
    try (var held = locks.hold(roomId)) {
      List<ServerMessage.ParticipantState> existing;
      synchronized (self) {
        existing = records.introduce(self, admission.members());
      }
      List<RoomEvents.RoomEvent> meanwhile = local.admit(self);
      channel.send(new ServerMessage.ExistingParticipants(existing));
      channel.send(new ServerMessage.Session(token));
      catchUp.catchUp(self, meanwhile, afterwards);
    }
    afterwards.forEach(Runnable::run);
    BestEffort.run(join.name(), roomId, () -> load.report(roomId, room.nodeId(), 1, 1));
    try {
      events.publish(roomId, new RoomEvents.Joined(join.name(), self.memberId, podId, true, true));
    } catch (RuntimeException e) {
      departures.leaveBestEffort(self); // the others would never hear of it
      throw e;
    }
    log.info("{} joined room {}", join.name(), roomId);
    return Optional.of(self);
  }

  /** Undoes what a join noted alongside its endpoint's creation, once both notes are done (or failed). */
  private void forgetNotes(String name, String roomId, String tokenHash, PodRegistry.Entry entry,
      CompletableFuture<Void> saved, CompletableFuture<Void> served) {
    CompletableFuture.allOf(saved, served).handle((nothing, e) -> null).join();
    BestEffort.run(name, roomId, () -> store.deleteSession(tokenHash));
    BestEffort.run(name, roomId, () -> pods.unserve(podId, entry));
  }

  /** A newcomer that did not become a member: forgotten here, the room unfollowed if nobody else is in it. */
  private void abandon(Participant self) {
    try (var held = locks.hold(self.roomId)) {
      local.abandonNewcomer(self);
    } catch (RuntimeException e) {
      log.warn("{} in room {}: room not unfollowed: {}", self.name, self.roomId, e.toString());
    }
  }
}
