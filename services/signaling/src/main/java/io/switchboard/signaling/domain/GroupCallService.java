package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group call: joining a room, publishing, subscribing, trickling ICE and leaving, as the
 * Kurento tutorial's protocol has it. Room state lives in the {@link RoomStore}; this pod holds
 * only its own participants' sockets and endpoints, and a room's participants may be spread over
 * several pods: joins and leaves travel between them as {@link RoomEvents}. (Resumption on another
 * pod and clean-up after a pod dies build on this; see issue 4.)
 */
public final class GroupCallService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupCallService.class);
  private static final Duration ROOM_CREATION_WAIT = Duration.ofSeconds(15);
  /** A join that finds its room closing under it starts over this many times in all. */
  private static final int JOIN_ATTEMPTS = 3;
  private static final int ROOM_LOCK_STRIPES = 256;
  /** How long a resume token is remembered at most (it is deleted when its participant leaves). */
  private static final Duration SESSION_TTL = Duration.ofHours(24);
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private final RoomStore store;
  private final MediaServer media;
  private final RoomPlacementClient placement;
  private final LoadReporter load;
  private final RoomEvents events;
  private final Clock clock;
  private final String podId;
  private final int expectedParticipants;
  private final Duration resumeGrace;
  /** Runs the leave of participants whose socket closed and who did not resume in time. */
  private final java.util.concurrent.ScheduledExecutorService expiry =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "participant-expiry");
        t.setDaemon(true);
        return t;
      });
  /** This pod's participants: room → name → participant. */
  private final Map<String, Map<String, Participant>> local = new ConcurrentHashMap<>();
  /**
   * Serialise following and unfollowing a room's events on this pod. Striped rather than one per
   * room: a bounded set that is never removed from, so two threads never lock different objects
   * for the same room.
   */
  private final Object[] roomLocks = new Object[ROOM_LOCK_STRIPES];

  public GroupCallService(RoomStore store, MediaServer media, RoomPlacementClient placement, LoadReporter load,
      RoomEvents events, Clock clock, String podId, int expectedParticipants, Duration resumeGrace) {
    this.events = events;
    this.store = store;
    this.media = media;
    this.placement = placement;
    this.load = load;
    this.clock = clock;
    this.podId = podId;
    this.expectedParticipants = expectedParticipants;
    this.resumeGrace = resumeGrace;
    for (int i = 0; i < roomLocks.length; i++) {
      roomLocks[i] = new Object();
    }
  }

  /**
   * Handles one decoded message of a socket. Returns the participant the socket now is (null when
   * it is not in a room). A refusal is a {@link ProtocolException}, thrown before anything changed.
   */
  public Participant handle(Participant self, ClientChannel channel, ClientMessage message) {
    if (self != null && self.channel != channel) {
      self = null; // resumed on another socket meanwhile: this one no longer speaks for it
    }
    if (message instanceof ClientMessage.Resume resume) {
      if (self != null) {
        throw refuse(ErrorCode.ALREADY_JOINED, "already in room " + self.roomId, resume.requestId());
      }
      return resume(resume, channel);
    }
    if (message instanceof ClientMessage.JoinRoom join) {
      if (self != null) {
        throw refuse(ErrorCode.ALREADY_JOINED, "already in room " + self.roomId, join.requestId());
      }
      return join(join, channel);
    }
    if (self == null) {
      throw refuse(ErrorCode.NOT_JOINED, "join a room first", message.requestId());
    }
    if (message instanceof ClientMessage.ReceiveVideoFrom receive) {
      receiveVideoFrom(self, receive);
    } else if (message instanceof ClientMessage.OnIceCandidate candidate) {
      onIceCandidate(self, candidate);
    } else if (message instanceof ClientMessage.LeaveRoom) {
      leave(self);
      return null;
    } else {
      throw refuse(ErrorCode.NOT_ALLOWED, "this server does not serve \"" + idOf(message) + "\" yet",
          message.requestId());
    }
    return self;
  }

  /** Rooms with at least one participant on this pod. */
  public int localRooms() {
    return (int) local.values().stream().filter(r -> !r.isEmpty()).count();
  }

  /** Participants this pod serves. */
  public int localParticipants() {
    return local.values().stream().mapToInt(Map::size).sum();
  }

  /**
   * The socket closed. The participant stays (its endpoints too, and the others are not told)
   * for the resume grace period, and leaves if no {@code resume} came by then.
   */
  public void disconnected(Participant self, ClientChannel channel) {
    if (self == null) {
      return;
    }
    synchronized (self) {
      if (self.gone || self.channel != channel) {
        return; // left already, or resumed on another socket
      }
      if (!resumeGrace.isZero()) {
        try {
          self.pendingLeave = expiry.schedule(() -> expire(self), resumeGrace.toMillis(), TimeUnit.MILLISECONDS);
          self.detached = true;
          log.info("{} in room {} disconnected; kept {} for a resume", self.name, self.roomId, resumeGrace);
          return;
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
          // this pod is stopping: leave now
        }
      }
    }
    leave(self);
  }

  /** The grace period of a disconnected participant ran out. */
  private void expire(Participant self) {
    synchronized (self) {
      if (!self.detached || self.gone) {
        return;
      }
      self.gone = true;
    }
    try {
      log.info("{} did not resume within {}: leaving room {}", self.name, resumeGrace, self.roomId);
      release(self);
    } catch (RuntimeException e) {
      log.warn("{} could not leave room {} after the grace period: {}", self.name, self.roomId, e.toString());
    }
  }

  /** Ends the grace period of every disconnected participant now: they leave. */
  @Override
  public void close() {
    List<Runnable> pending = expiry.shutdownNow();
    if (!pending.isEmpty()) {
      log.info("stopping: {} disconnected participants leave now", pending.size());
    }
    pending.forEach(Runnable::run);
  }

  // ---------------------------------------------------------------- resume

  private Participant resume(ClientMessage.Resume resume, ClientChannel channel) {
    String tokenHash = hash(resume.token());
    RoomStore.SessionRecord session = store.session(tokenHash).orElseThrow(() ->
        refuse(ErrorCode.INVALID_TOKEN, "unknown or expired session; join again", resume.requestId()));
    Map<String, Participant> here = local.get(session.roomId());
    Participant p = here == null ? null : here.get(session.name());
    if (p == null) {
      if (store.members(session.roomId()).containsKey(session.name())) {
        throw refuse(ErrorCode.NOT_ALLOWED,
            "this session is served by another signaling pod; resuming it elsewhere is not served yet",
            resume.requestId());
      }
      throw refuse(ErrorCode.INVALID_TOKEN, "the session has ended; join again", resume.requestId());
    }
    // Under the room's lock, like a join, so the fresh participant list and the events after it
    // tell the client of each participant once.
    ClientChannel replaced;
    synchronized (roomLock(p.roomId)) {
      List<ServerMessage.ParticipantState> existing;
      synchronized (p) {
        if (p.gone || !tokenHash.equals(p.tokenHash)) {
          throw refuse(ErrorCode.INVALID_TOKEN, "the session has ended; join again", resume.requestId());
        }
        if (p.pendingLeave != null) {
          p.pendingLeave.cancel(false);
          p.pendingLeave = null;
        }
        replaced = p.detached ? null : p.channel;
        p.detached = false;
        p.channel = channel;
        p.known.clear();
        existing = introduce(p);
      }
      channel.send(new ServerMessage.Resumed(p.name, p.roomId));
      channel.send(new ServerMessage.ExistingParticipants(existing));
    }
    if (replaced != null) {
      // Its socket was still open: one socket speaks for a participant, so the old one goes.
      replaced.closeReplaced("resumed on another socket");
    }
    log.info("{} resumed in room {}", p.name, p.roomId);
    return p;
  }

  private static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Tokens are stored hashed: a read of Redis does not hand out sessions. */
  private static String hash(String token) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- join

  private Participant join(ClientMessage.JoinRoom join, ClientChannel channel) {
    for (int attempt = 1; ; attempt++) {
      Optional<Participant> joined = tryJoin(join, channel);
      if (joined.isPresent()) {
        return joined.get();
      }
      if (attempt == JOIN_ATTEMPTS) {
        throw refuse(ErrorCode.UNAVAILABLE, "room " + join.room() + " kept closing while joining; retry",
            join.requestId());
      }
      log.info("room {} closed while {} was joining it; joining again", join.room(), join.name());
    }
  }

  /**
   * One attempt at a join; empty when the room closed (its last member left, on any pod) between
   * reading its record and becoming a member, in which case nothing of the attempt is left.
   */
  private Optional<Participant> tryJoin(ClientMessage.JoinRoom join, ClientChannel channel) {
    RoomStore.RoomRecord room = openRoom(join.room(), join.requestId());
    // Like the tutorial, the publisher endpoint exists from the join on, so others can subscribe
    // to it at once; its candidates go to its owner as iceCandidate{name: own name}.
    String publisher;
    // Candidates go to whichever socket serves the participant when they come (a resume moves it).
    java.util.concurrent.atomic.AtomicReference<Participant> owner = new java.util.concurrent.atomic.AtomicReference<>();
    try {
      publisher = media.createEndpoint(room.kmsUrl(), room.pipelineId(), candidate -> {
        Participant p = owner.get();
        (p == null ? channel : p.channel).send(new ServerMessage.IceCandidateFound(join.name(), candidate, Stream.WEBCAM));
      });
    } catch (RuntimeException e) {
      if (!store.room(join.room()).equals(Optional.of(room))) {
        return Optional.empty(); // closed meanwhile, and its pipeline released with it
      }
      // A room this join just opened must not outlive the failed join.
      if (store.members(join.room()).isEmpty()) {
        closeRoom(join.room());
      }
      throw e;
    }
    RoomStore.MemberRecord me = new RoomStore.MemberRecord(podId, publisher, true, true, clock.millis());
    Participant self = new Participant(join.name(), join.room(), room.nodeId(), room.kmsUrl(), channel, publisher);
    owner.set(self);
    String token = newToken();
    self.tokenHash = hash(token);
    try {
      store.saveSession(self.tokenHash, new RoomStore.SessionRecord(join.room(), join.name()), SESSION_TTL);
    } catch (RuntimeException e) {
      releaseQuietly(room.kmsUrl(), publisher);
      throw e;
    }
    // Follow the room before becoming a member: every join published after ours is heard, and
    // every one before it is in the member list read below.
    synchronized (roomLock(join.room())) {
      Map<String, Participant> here = local.computeIfAbsent(join.room(), r -> new ConcurrentHashMap<>());
      if (here.isEmpty()) {
        events.follow(join.room(), event -> onRoomEvent(join.room(), event));
      }
      RoomStore.Added added = store.addMember(join.room(), room.pipelineId(), join.name(), me);
      if (added != RoomStore.Added.ADDED) {
        store.deleteSession(self.tokenHash);
        if (here.isEmpty()) {
          local.remove(join.room(), here);
          events.unfollow(join.room());
        }
        releaseQuietly(room.kmsUrl(), publisher);
        if (added == RoomStore.Added.ROOM_GONE) {
          return Optional.empty();
        }
        throw refuse(ErrorCode.NAME_TAKEN, "someone in room " + join.room() + " is already called " + join.name(),
            join.requestId());
      }
      here.put(join.name(), self);
      // Under the room's lock, so a join event delivered meanwhile is not announced twice: the
      // client hears of each participant once, in existingParticipants or newParticipantArrived.
      List<ServerMessage.ParticipantState> existing;
      synchronized (self) {
        existing = introduce(self);
      }
      channel.send(new ServerMessage.ExistingParticipants(existing));
      channel.send(new ServerMessage.Session(token));
    }
    load.report(join.room(), room.nodeId(), 1, 1);
    events.publish(join.room(), new RoomEvents.RoomEvent(RoomEvents.RoomEvent.Type.JOINED, join.name(), true, true));
    log.info("{} joined room {}", join.name(), join.room());
    return Optional.of(self);
  }

  /**
   * The room's record, creating it (placement, then a pipeline on the chosen node) when this is
   * the room's first join. Creation is atomic across pods: one caller holds the room's lock and
   * creates; the others wait for its record, so two first joins never make two pipelines.
   */
  private RoomStore.RoomRecord openRoom(String roomId, String requestId) {
    Optional<RoomStore.RoomRecord> existing = store.room(roomId);
    if (existing.isPresent()) {
      return existing.get();
    }
    String owner = podId + "/" + UUID.randomUUID();
    long deadline = System.nanoTime() + ROOM_CREATION_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (store.lockRoom(roomId, owner)) {
        try {
          Optional<RoomStore.RoomRecord> again = store.room(roomId);
          if (again.isPresent()) {
            return again.get();
          }
          RoomPlacementClient.PlacedRoom placed = placement.place(roomId, expectedParticipants);
          String pipeline = media.createPipeline(placed.kmsUrl());
          RoomStore.RoomRecord room = new RoomStore.RoomRecord(placed.nodeId(), placed.kmsUrl(), pipeline);
          store.saveRoom(roomId, room);
          log.info("room {} opened on {} (pipeline {})", roomId, placed.nodeId(), pipeline);
          return room;
        } finally {
          store.unlockRoom(roomId, owner);
        }
      }
      Optional<RoomStore.RoomRecord> created = store.room(roomId);
      if (created.isPresent()) {
        return created.get();
      }
      sleep(20);
    }
    throw refuse(ErrorCode.UNAVAILABLE, "room " + roomId + " could not be opened in time; retry", requestId);
  }

  // ---------------------------------------------------------------- media

  private void receiveVideoFrom(Participant self, ClientMessage.ReceiveVideoFrom receive) {
    if (receive.stream() != Stream.WEBCAM) {
      throw refuse(ErrorCode.UNKNOWN_STREAM, "screen sharing is not served yet", receive.requestId());
    }
    if (receive.sender().equals(self.name)) {
      publish(self, receive);
      return;
    }
    RoomStore.MemberRecord sender = store.members(self.roomId).get(receive.sender());
    if (sender == null) {
      throw refuse(ErrorCode.UNKNOWN_SENDER, "nobody called " + receive.sender() + " is in room " + self.roomId,
          receive.requestId());
    }
    String endpoint;
    synchronized (self) {
      if (self.subscriptions.containsKey(receive.sender())) {
        throw refuse(ErrorCode.INVALID_SDP, "already receiving " + receive.sender(), receive.requestId());
      }
      endpoint = media.createEndpoint(self.kmsUrl, roomPipeline(self), candidate ->
          self.channel.send(new ServerMessage.IceCandidateFound(receive.sender(), candidate, Stream.WEBCAM)));
      self.subscriptions.put(receive.sender(), endpoint);
    }
    load.report(self.roomId, self.nodeId, 1, 0);
    try {
      media.connect(self.kmsUrl, sender.publisherEndpoint(), endpoint);
      negotiate(self, endpoint, receive.sender(), receive.sdpOffer(), receive.requestId());
    } catch (RuntimeException e) {
      synchronized (self) {
        self.subscriptions.remove(receive.sender());
      }
      media.release(self.kmsUrl, endpoint);
      load.report(self.roomId, self.nodeId, -1, 0);
      throw e;
    }
  }

  private void publish(Participant self, ClientMessage.ReceiveVideoFrom receive) {
    synchronized (self) {
      if (self.publishing) {
        throw refuse(ErrorCode.INVALID_SDP, "already publishing: an endpoint negotiates once", receive.requestId());
      }
      self.publishing = true;
    }
    try {
      negotiate(self, self.publisherEndpoint, self.name, receive.sdpOffer(), receive.requestId());
    } catch (RuntimeException e) {
      synchronized (self) {
        self.publishing = false;
      }
      throw e;
    }
  }

  private void negotiate(Participant self, String endpoint, String name, String offer, String requestId) {
    for (IceCandidate c : self.takePending(name)) {
      media.addIceCandidate(self.kmsUrl, endpoint, c);
    }
    String answer;
    try {
      answer = media.processOffer(self.kmsUrl, endpoint, offer);
    } catch (MediaServer.MediaException e) {
      throw refuse(e.refused() ? ErrorCode.INVALID_SDP : ErrorCode.UNAVAILABLE,
          e.refused() ? "the media server refused the offer: " + e.getMessage() : "the media server is unreachable",
          requestId);
    }
    self.channel.send(new ServerMessage.ReceiveVideoAnswer(name, answer, Stream.WEBCAM));
    media.gatherCandidates(self.kmsUrl, endpoint);
  }

  private void onIceCandidate(Participant self, ClientMessage.OnIceCandidate message) {
    String endpoint;
    synchronized (self) {
      endpoint = message.name().equals(self.name)
          ? (self.publishing ? self.publisherEndpoint : null)
          : self.subscriptions.get(message.name());
      if (endpoint == null) {
        // Candidates that arrive before their endpoint negotiates are kept, never dropped.
        if (!self.keep(message.name(), message.candidate())) {
          throw refuse(ErrorCode.INVALID_VALUE, "too many candidates waiting for " + message.name(),
              message.requestId());
        }
        return;
      }
    }
    media.addIceCandidate(self.kmsUrl, endpoint, message.candidate());
  }

  private String roomPipeline(Participant self) {
    return store.room(self.roomId)
        .orElseThrow(() -> refuse(ErrorCode.UNAVAILABLE, "room " + self.roomId + " is gone", null))
        .pipelineId();
  }

  // ---------------------------------------------------------------- leave

  private void leave(Participant self) {
    synchronized (self) {
      if (self.gone) {
        return;
      }
      self.gone = true;
      self.detached = false;
      if (self.pendingLeave != null) {
        self.pendingLeave.cancel(false);
        self.pendingLeave = null;
      }
    }
    release(self);
  }

  /** Everything of a participant that has left: its endpoints, membership and session. */
  private void release(Participant self) {
    if (self.tokenHash != null) {
      store.deleteSession(self.tokenHash);
    }
    List<String> endpoints = new ArrayList<>();
    synchronized (self) {
      endpoints.addAll(self.subscriptions.values());
      self.subscriptions.clear();
    }
    endpoints.forEach(e -> media.release(self.kmsUrl, e));
    media.release(self.kmsUrl, self.publisherEndpoint);
    load.report(self.roomId, self.nodeId, -(endpoints.size() + 1), -1);
    long left = store.removeMember(self.roomId, self.name);
    // Everyone in the room hears it, on whichever pod they are; the others release what they
    // received from the one who left.
    events.publish(self.roomId, new RoomEvents.RoomEvent(RoomEvents.RoomEvent.Type.LEFT, self.name, false, false));
    synchronized (roomLock(self.roomId)) {
      Map<String, Participant> here = local.get(self.roomId);
      if (here != null) {
        here.remove(self.name, self);
        if (here.isEmpty()) {
          local.remove(self.roomId);
          events.unfollow(self.roomId);
        }
      }
    }
    log.info("{} left room {} ({} remain)", self.name, self.roomId, left);
    if (left == 0) {
      closeRoom(self.roomId);
    }
  }

  /** A join or leave in a room this pod has participants in, published by any pod (this one too). */
  private void onRoomEvent(String roomId, RoomEvents.RoomEvent event) {
    synchronized (roomLock(roomId)) {
      Map<String, Participant> here = local.get(roomId);
      if (here != null) {
        here.values().forEach(p -> deliver(p, event));
      }
    }
  }

  private void deliver(Participant p, RoomEvents.RoomEvent event) {
    if (p.name.equals(event.name())) {
      return;
    }
    if (event.type() == RoomEvents.RoomEvent.Type.JOINED) {
      boolean fresh;
      synchronized (p) {
        fresh = p.known.add(event.name());
      }
      if (fresh) {
        p.channel.send(new ServerMessage.NewParticipantArrived(event.name(), event.audio(), event.video()));
      }
    } else {
      String endpoint;
      synchronized (p) {
        endpoint = p.subscriptions.remove(event.name());
        p.pendingCandidates.remove(event.name());
        p.known.remove(event.name());
      }
      if (endpoint != null) {
        media.release(p.kmsUrl, endpoint);
        load.report(p.roomId, p.nodeId, -1, 0);
      }
      p.channel.send(new ServerMessage.ParticipantLeft(event.name()));
    }
  }

  /**
   * The room's other members, for {@code existingParticipants}, each recorded as known to the
   * participant. Called holding the room's lock and the participant's monitor.
   */
  private List<ServerMessage.ParticipantState> introduce(Participant p) {
    List<ServerMessage.ParticipantState> others = new ArrayList<>();
    store.members(p.roomId).forEach((name, m) -> {
      if (!name.equals(p.name)) {
        others.add(new ServerMessage.ParticipantState(name, m.audio(), m.video(), false));
        p.known.add(name);
      }
    });
    return others;
  }

  private Object roomLock(String roomId) {
    return roomLocks[Math.floorMod(roomId.hashCode(), roomLocks.length)];
  }

  /** Releases an endpoint that may already be gone with its pipeline. */
  private void releaseQuietly(String kmsUrl, String objectId) {
    try {
      media.release(kmsUrl, objectId);
    } catch (RuntimeException e) {
      log.debug("{} not released (gone with its pipeline?): {}", objectId, e.toString());
    }
  }

  private void closeRoom(String roomId) {
    Optional<RoomStore.RoomRecord> room = store.room(roomId);
    if (room.isPresent() && store.deleteIfEmpty(roomId)) {
      media.release(room.get().kmsUrl(), room.get().pipelineId());
      try {
        placement.release(roomId);
      } catch (RuntimeException e) {
        log.warn("room {} closed, but its placement could not be released: {}", roomId, e.toString());
      }
      log.info("room {} closed", roomId);
    }
  }

  private static ProtocolException refuse(ErrorCode code, String message, String requestId) {
    return new ProtocolException(code, message, requestId);
  }

  private static String idOf(ClientMessage message) {
    String simple = message.getClass().getSimpleName();
    return Character.toLowerCase(simple.charAt(0)) + simple.substring(1);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
