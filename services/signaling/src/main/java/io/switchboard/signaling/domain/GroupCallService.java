package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.Grant;
import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group call: joining a room, publishing, subscribing, trickling ICE and leaving, as the
 * Kurento tutorial's protocol has it, and resuming a dropped session on any pod.
 *
 * <p>Room state lives in the {@link RoomStore}: a member's record names its pod and holds its
 * endpoint ids, so any pod can take a participant over (a {@code resume}) by listening to those
 * endpoints itself. This pod holds only its own participants' sockets and listeners; a room's
 * participants may be spread over several pods, and joins, leaves and moves travel between them
 * as {@link RoomEvents}.
 *
 * <p>A participant whose socket closed is parked: its record says until when it waits for a
 * resume. Every pod runs a janitor: it beats (the {@link PodRegistry}), parks the members of pods
 * whose beat lapsed, and removes parked members whose wait ran out (their own pod does it while
 * alive; any pod once it is dead). Every such step is a compare-and-set on the member's record,
 * so two pods never both act on one participant.
 */
public final class GroupCallService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupCallService.class);
  private static final Duration ROOM_CREATION_WAIT = Duration.ofSeconds(15);
  /** A join that finds its room closing under it starts over this many times in all. */
  private static final int JOIN_ATTEMPTS = 3;
  private static final int ROOM_LOCK_STRIPES = 256;
  /** How long a resume token is remembered at most (it is deleted when its participant leaves). */
  private static final Duration SESSION_TTL = Duration.ofHours(24);
  /** How long a pod's claim on cleaning up after a dead pod lasts (it is done long before). */
  private static final Duration CLAIM_TTL = Duration.ofSeconds(30);
  /** Every this many janitor rounds, this pod's participants are checked against their records. */
  private static final int RECONCILE_EVERY = 5;
  /** Parked members one janitor round looks at, at most. */
  private static final int EXPIRIES_PER_ROUND = 64;
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * How this pod behaves.
   *
   * @param podId this pod's name in room state
   * @param expectedParticipants participants a new room reserves on its node
   * @param resumeGrace how long a disconnected participant waits for a resume (0: leaves at once)
   * @param heartbeatInterval how often the janitor runs and the pod beats
   * @param heartbeatTimeout how long after its last beat a pod counts as dead
   * @param limits what rooms allow
   */
  public record Settings(String podId, int expectedParticipants, Duration resumeGrace, Duration heartbeatInterval,
      Duration heartbeatTimeout, RoomLimits limits) {}

  private final RoomStore store;
  private final PodRegistry pods;
  private final MediaServer media;
  private final RoomPlacementClient placement;
  private final LoadReporter load;
  private final RoomEvents events;
  private final PresenceFeed presence;
  private final CallObserver observer;
  private final Clock clock;
  private final Settings settings;
  private final String podId;
  /** Runs the janitor, and listener removals that need not hold anyone up. */
  private final ScheduledExecutorService janitor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "signaling-janitor");
    t.setDaemon(true);
    return t;
  });
  /** Rebuilds rooms whose KMS node was lost, and tells participants; never the janitor's thread. */
  private final java.util.concurrent.ExecutorService rebuilds = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "room-rebuild");
    t.setDaemon(true);
    return t;
  });
  /**
   * KMS requests nobody waits for (removing listeners of participants that moved away, releasing
   * a drained node's old pipelines): a slow KMS must hold up neither events, rebuilds nor the janitor.
   */
  private final java.util.concurrent.ExecutorService mediaCleanup = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "media-cleanup");
    t.setDaemon(true);
    return t;
  });
  /** Beats alone, so that no slow Redis, KMS or lock in the janitor's work makes this pod look dead. */
  private final ScheduledExecutorService beater = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "signaling-heartbeat");
    t.setDaemon(true);
    return t;
  });
  private long rounds;
  private volatile boolean beaten;
  /** This pod's participants: room → name → participant. */
  private final Map<String, Map<String, Participant>> local = new ConcurrentHashMap<>();
  /**
   * Serialise following and unfollowing a room's events on this pod. Striped rather than one per
   * room: a bounded set that is never removed from, so two threads never lock different objects
   * for the same room.
   */
  private final Object[] roomLocks = new Object[ROOM_LOCK_STRIPES];

  public GroupCallService(RoomStore store, PodRegistry pods, MediaServer media, RoomPlacementClient placement,
      LoadReporter load, RoomEvents events, PresenceFeed presence, CallObserver observer, Clock clock,
      Settings settings) {
    this.presence = presence;
    this.store = store;
    this.pods = pods;
    this.media = media;
    this.placement = placement;
    this.load = load;
    this.events = events;
    this.observer = observer;
    this.clock = clock;
    this.settings = settings;
    this.podId = settings.podId();
    for (int i = 0; i < roomLocks.length; i++) {
      roomLocks[i] = new Object();
    }
  }

  /** Starts beating and the janitor. */
  public void start() {
    long every = settings.heartbeatInterval().toMillis();
    beater.scheduleWithFixedDelay(() -> {
      try {
        beat();
      } catch (RuntimeException e) {
        log.warn("heartbeat failed: {}", e.toString());
      }
    }, 0, every, TimeUnit.MILLISECONDS);
    janitor.scheduleWithFixedDelay(this::janitorRound, every / 2, every, TimeUnit.MILLISECONDS);
  }

  public String podId() {
    return podId;
  }

  /**
   * Handles one decoded message of a socket. Returns the participant the socket now is (null when
   * it is not in a room). A refusal is a {@link ProtocolException}, thrown before anything changed.
   */
  public Participant handle(Participant self, ClientChannel channel, ClientMessage message) {
    if (self != null && (self.channel != channel || self.gone)) {
      self = null; // resumed on another socket or pod meanwhile, or removed: this socket no longer speaks for it
    }
    if (message instanceof ClientMessage.Resume resume) {
      if (self != null) {
        throw refuse(ErrorCode.ALREADY_JOINED, "already in room " + self.roomName, resume.requestId());
      }
      return resume(resume, channel);
    }
    if (message instanceof ClientMessage.JoinRoom join) {
      if (self != null) {
        throw refuse(ErrorCode.ALREADY_JOINED, "already in room " + self.roomName, join.requestId());
      }
      return join(join, channel);
    }
    if (self == null) {
      throw refuse(ErrorCode.NOT_JOINED, "join a room first", message.requestId());
    }
    requireGrants(self, channel, message);
    if (message instanceof ClientMessage.ReceiveVideoFrom receive) {
      receiveVideoFrom(self, receive);
    } else if (message instanceof ClientMessage.OnIceCandidate candidate) {
      onIceCandidate(self, candidate);
    } else if (message instanceof ClientMessage.LeaveRoom) {
      leave(self);
      return null;
    } else if (message instanceof ClientMessage.MediaState state) {
      mediaState(self, state);
    } else if (message instanceof ClientMessage.Chat chat) {
      chat(self, chat);
    } else if (message instanceof ClientMessage.PublishScreen share) {
      publishScreen(self, share);
    } else if (message instanceof ClientMessage.UnpublishScreen stop) {
      unpublishScreen(self, stop);
    } else if (message instanceof ClientMessage.Presenter present) {
      presenter(self, present);
    } else if (message instanceof ClientMessage.Viewer view) {
      viewer(self, view);
    } else if (message instanceof ClientMessage.Stop stop) {
      stopBroadcast(self, stop);
    } else if (message instanceof ClientMessage.StartRecording start) {
      startRecording(self, start);
    } else if (message instanceof ClientMessage.StopRecording stop) {
      stopRecording(self, stop);
    } else {
      throw new IllegalStateException("no handler for " + idOf(message)); // every message has one
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
   * for the resume grace period, parked in the store so that a resume on any pod finds it, and
   * leaves if no {@code resume} came by then.
   */
  public void disconnected(Participant self, ClientChannel channel) {
    if (self == null) {
      return;
    }
    try (var room = org.slf4j.MDC.putCloseable("room", self.roomId);
        var participant = org.slf4j.MDC.putCloseable("participant", self.name)) {
      detach(self, channel);
    }
  }

  private void detach(Participant self, ClientChannel channel) {
    synchronized (self) {
      if (self.gone || self.channel != channel || self.detached) {
        return; // left already, resumed on another socket, or told already
      }
      if (!settings.resumeGrace().isZero()) {
        self.detached = true;
        self.parkedUntil = clock.millis() + settings.resumeGrace().toMillis();
        self.parkRecorded = false;
      }
    }
    if (settings.resumeGrace().isZero()) {
      leave(self);
      return;
    }
    log.info("{} in room {} disconnected; kept {} for a resume", self.name, self.roomId, settings.resumeGrace());
    presence(io.switchboard.presence.PresenceType.PARTICIPANT_DISCONNECTED, self.roomId, self.name, self.nodeId, null, null, "socket-closed");
    park(self);
  }

  /** Records a detached participant's wait in the store; retried by the janitor until it is. */
  private void park(Participant self) {
    try {
      synchronized (self) {
        if (self.gone || !self.detached || self.parkRecorded) {
          return;
        }
        // Not written means it is no longer this pod's (resumed elsewhere, or removed): the
        // event saying so lets it go here.
        if (write(self)) {
          pods.park(self.entry(), self.parkedUntil);
        }
        self.parkRecorded = true;
      }
    } catch (RuntimeException e) {
      log.warn("{} in room {} could not be parked yet (retrying): {}", self.name, self.roomId, e.toString());
    }
  }

  /**
   * The pod is stopping. Its participants are not removed: their records stay, so they resume on
   * another pod, and the janitors of the pods that remain clean up after those who do not. The
   * heartbeat is withdrawn so they need not wait for it to lapse.
   */
  @Override
  public void close() {
    beater.shutdownNow();
    janitor.shutdownNow();
    rebuilds.shutdownNow();
    mediaCleanup.shutdownNow();
    try {
      // A beat under way must not bring the key back after it is withdrawn.
      beater.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      pods.retire(podId);
    } catch (RuntimeException e) {
      log.warn("could not withdraw this pod's heartbeat: {}", e.toString());
    }
  }

  // ---------------------------------------------------------------- janitor

  private void janitorRound() {
    try {
      localParticipantsWhere(p -> p.detached && !p.parkRecorded).forEach(this::park);
      if (rounds++ % RECONCILE_EVERY == 0) {
        reconcile();
      }
      adoptDeadPods();
      expireDue();
    } catch (RuntimeException e) {
      log.warn("janitor round failed: {}", e.toString());
    }
  }

  private void beat() {
    boolean wasAlive = pods.beat(podId, settings.heartbeatTimeout());
    if (!beaten) {
      // A pod restarted under the same name (a container restart keeps the pod's name) beats
      // before anyone saw its earlier self die: the participants that one served are parked here.
      int parked = parkMembersOf(podId, deadline());
      if (parked > 0) {
        log.warn("{} participants of this pod's earlier run wait {} for a resume", parked, settings.resumeGrace());
        observer.adoptedDeadPod(parked);
      }
    } else if (!wasAlive) {
      // Our beat lapsed (a long pause, or Redis was away): other pods may have parked our
      // participants. Those still connected here are reclaimed.
      log.warn("this pod's heartbeat lapsed; reclaiming its participants");
      localParticipantsWhere(p -> true).forEach(this::reclaim);
    }
    beaten = true;
  }

  private long deadline() {
    return clock.millis() + settings.resumeGrace().toMillis();
  }

  /**
   * Parks the members {@code pod} served that are not served here now (all of them, for a dead
   * pod); returns how many wait for a resume.
   */
  private int parkMembersOf(String pod, long deadline) {
    int parked = 0;
    for (PodRegistry.Entry entry : pods.served(pod)) {
      if (pod.equals(podId)) {
        // Under the room's lock: a join or resume here adds its entry first and its participant
        // under this lock, and must not be parked in between.
        synchronized (roomLock(entry.roomId())) {
          Participant here = localParticipant(entry.roomId(), entry.name());
          if (here == null || !here.memberId.equals(entry.memberId())) {
            parked += parkOne(pod, entry, deadline);
          }
        }
      } else {
        parked += parkOne(pod, entry, deadline);
      }
    }
    return parked;
  }

  /** Parks one member of {@code pod} if it is still that pod's and connected; 1 when it waits now. */
  private int parkOne(String pod, PodRegistry.Entry entry, long deadline) {
    try {
      Optional<RoomStore.MemberRecord> member = store.member(entry.roomId(), entry.name())
          .filter(m -> m.id().equals(entry.memberId()) && m.pod().equals(pod));
      if (member.isEmpty()) {
        if (pod.equals(podId)) {
          pods.unserve(pod, entry); // left, or resumed elsewhere, already
        }
        return 0;
      }
      long until = member.get().parkedUntil();
      if (until == 0) {
        until = deadline;
        if (!store.replaceMember(entry.roomId(), entry.name(), pod, member.get().publisher(),
            member.get().parked(deadline))) {
          return 0;
        }
        presence(io.switchboard.presence.PresenceType.PARTICIPANT_DISCONNECTED, entry.roomId(), entry.name(), null, null, null,
            pod.equals(podId) ? "pod-restarted" : "pod-died");
      }
      pods.park(entry, until);
      return 1;
    } catch (RuntimeException e) {
      log.warn("{} of room {} not parked: {}", entry.name(), entry.roomId(), e.toString());
      return 0;
    }
  }

  /**
   * Checks this pod's participants against their records, in case an event was lost (Redis
   * pub/sub delivers at most once): one whose record is gone or is another pod's is let go, and
   * the indexes a janitor relies on are written again for the others.
   */
  private void reconcile() {
    // Members this pod's index names but that it does not serve (a join that failed halfway).
    parkMembersOf(podId, deadline());
    for (String roomId : List.copyOf(local.keySet())) {
      Map<String, Participant> here = local.get(roomId);
      if (here == null || here.isEmpty()) {
        continue;
      }
      Map<String, RoomStore.MemberRecord> members = store.members(roomId);
      for (Participant p : List.copyOf(here.values())) {
        RoomStore.MemberRecord m = members.get(p.name);
        if (p.gone) {
          continue;
        }
        if (m == null || !m.id().equals(p.memberId) || !m.pod().equals(podId)) {
          // The list was read before this participant joined or resumed here, perhaps: look again.
          m = store.member(roomId, p.name).orElse(null);
        }
        if (m == null || !m.id().equals(p.memberId)) {
          letGo(p, false);
        } else if (!m.pod().equals(podId)) {
          letGo(p, true);
        } else {
          pods.serve(podId, p.entry());
          synchronized (p) {
            if (p.detached && p.parkRecorded) {
              pods.park(p.entry(), m.parkedUntil() > 0 ? m.parkedUntil() : p.parkedUntil);
            }
          }
        }
      }
    }
  }

  private void reclaim(Participant p) {
    synchronized (p) {
      if (p.gone) {
        return;
      }
      if (write(p)) {
        pods.serve(podId, p.entry());
        if (p.detached) {
          pods.park(p.entry(), p.parkedUntil);
        } else {
          pods.unpark(p.entry());
          // Another pod may have reported it disconnected (this pod looked dead): it never was.
          presence(io.switchboard.presence.PresenceType.PARTICIPANT_RESUMED, p.roomId, p.name, p.nodeId, null, null,
              "reclaimed");
        }
      }
    }
  }

  /** Parks the members of every pod whose heartbeat lapsed, so they wait for a resume elsewhere. */
  private void adoptDeadPods() {
    for (String dead : pods.deadPods()) {
      if (dead.equals(podId) || !pods.claim(dead, podId, CLAIM_TTL)) {
        continue;
      }
      int parked = parkMembersOf(dead, deadline());
      pods.forget(dead);
      observer.adoptedDeadPod(parked);
      log.warn("signaling pod {} stopped beating: {} of its participants wait {} for a resume", dead, parked,
          settings.resumeGrace());
    }
  }

  /** Removes parked members whose wait ran out: this pod's own, and those of dead pods. */
  private void expireDue() {
    long now = clock.millis();
    for (PodRegistry.Entry entry : pods.due(now, EXPIRIES_PER_ROUND)) {
      try (var room = org.slf4j.MDC.putCloseable("room", entry.roomId());
          var participant = org.slf4j.MDC.putCloseable("participant", entry.name())) {
        expireIfDue(entry, now);
      } catch (RuntimeException e) {
        log.warn("{} of room {}: expiry failed (retrying): {}", entry.name(), entry.roomId(), e.toString());
      }
    }
  }

  private void expireIfDue(PodRegistry.Entry entry, long now) {
    Optional<RoomStore.MemberRecord> found = store.member(entry.roomId(), entry.name())
        .filter(m -> m.id().equals(entry.memberId()));
    if (found.isEmpty() || found.get().parkedUntil() == 0) {
      pods.unpark(entry); // left or resumed meanwhile (a pod re-adds a fresh park it still holds)
      return;
    }
    RoomStore.MemberRecord member = found.get();
    if (member.parkedUntil() > now) {
      pods.park(entry, member.parkedUntil());
      return;
    }
    if (member.pod().equals(podId)) {
      Participant p = localParticipant(entry.roomId(), entry.name());
      if (p != null && p.memberId.equals(member.id()) && !p.detached && !p.gone) {
        reclaim(p); // parked by a pod that took this one for dead, yet its socket is open here
        return;
      }
    } else if (pods.alive(member.pod())) {
      return; // its own pod sees to it
    }
    expire(entry, member, now);
  }

  private void expire(PodRegistry.Entry entry, RoomStore.MemberRecord member, long now) {
    long left = store.removeExpiredMember(entry.roomId(), entry.name(), member.id(), now);
    if (left < 0) {
      return; // resumed, or removed by another pod, just now
    }
    // Removed: from here on every step is tried, whatever fails before it; nobody else will.
    String roomId = entry.roomId();
    log.info("{} did not resume within {}: leaving room {}", entry.name(), settings.resumeGrace(), roomId);
    presence(io.switchboard.presence.PresenceType.PARTICIPANT_LEFT, roomId, entry.name(), null, null, null, "expired");
    quietly(entry.name(), roomId, () -> pods.unpark(entry));
    quietly(entry.name(), roomId, () -> pods.unserve(member.pod(), entry));
    quietly(entry.name(), roomId, () -> store.deleteSession(member.session()));
    quietly(entry.name(), roomId, () -> store.room(roomId).ifPresent(room -> {
      List<String> endpoints = member.endpoints();
      endpoints.forEach(e -> releaseQuietly(room.kmsUrl(), e));
      if (member.recorder() != null) {
        finishRecording(room.kmsUrl(), member.recorder());
        events.publish(roomId, RoomEvents.RoomEvent.recording(entry.name(), member.id(), podId, false,
            member.recordingUri()));
      }
      load.report(roomId, room.nodeId(), -(endpoints.size() + (member.recorder() == null ? 0 : 1)), -1);
    }));
    quietly(entry.name(), roomId, () -> {
      if (store.releasePresenter(roomId, member.id() + " " + entry.name())) {
        events.publish(roomId, RoomEvents.RoomEvent.presenter(entry.name(), member.id(), member.pod(), false));
      }
    });
    quietly(entry.name(), roomId, () -> events.publish(roomId, RoomEvents.RoomEvent.left(entry.name(), member.id(),
        member.pod())));
    observer.expired();
    if (left == 0) {
      quietly(entry.name(), roomId, () -> closeRoom(roomId));
    }
  }

  /** Queues a presence event (docs/events.md); its room sequence number is given when it is sent. */
  private void presence(io.switchboard.presence.PresenceType type, String roomId, String participant, String kmsNode,
      Boolean audio, Boolean video, String reason) {
    presence(type, roomId, null, participant, kmsNode, audio, video, reason);
  }

  /** The same, with the room's name as typed (known where a join brings it). */
  private void presence(io.switchboard.presence.PresenceType type, String roomId, String roomName, String participant,
      String kmsNode, Boolean audio, Boolean video, String reason) {
    presence.publish(new io.switchboard.presence.PresenceEvent(UUID.randomUUID().toString(), type, roomId, 0,
        clock.instant(), podId, participant, participant, kmsNode, audio, video, reason, roomName));
  }

  /** One step of a clean-up that must go on whatever fails. */
  private static void quietly(String name, String roomId, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      log.warn("{} of room {}: a clean-up step failed: {}", name, roomId, e.toString());
    }
  }


  private List<Participant> localParticipantsWhere(java.util.function.Predicate<Participant> test) {
    List<Participant> found = new ArrayList<>();
    local.values().forEach(room -> room.values().forEach(p -> {
      synchronized (p) {
        if (!p.gone && test.test(p)) {
          found.add(p);
        }
      }
    }));
    return found;
  }

  private Participant localParticipant(String roomId, String name) {
    Map<String, Participant> here = local.get(roomId);
    return here == null ? null : here.get(name);
  }

  // ---------------------------------------------------------------- resume

  private Participant resume(ClientMessage.Resume resume, ClientChannel channel) {
    String tokenHash = hash(resume.token());
    RoomStore.SessionRecord session = store.session(tokenHash).orElseThrow(() ->
        refuse(ErrorCode.INVALID_TOKEN, "unknown or expired session; join again", resume.requestId()));
    RoomStore.MemberRecord member = store.member(session.roomId(), session.name())
        .filter(m -> m.session().equals(tokenHash))
        .orElseThrow(() -> refuse(ErrorCode.INVALID_TOKEN, "the session has ended; join again", resume.requestId()));
    String refused = channel.access().refusesJoin(
        session.roomName() == null ? session.roomId() : session.roomName(), session.name());
    if (refused != null) {
      throw refuse(ErrorCode.NOT_ALLOWED, refused, resume.requestId());
    }
    Participant here = localParticipant(session.roomId(), session.name());
    Participant p = here != null && here.memberId.equals(member.id()) && member.pod().equals(podId)
        ? resumeHere(here, channel, resume.requestId())
        : takeOver(member, session, tokenHash, channel, resume.requestId());
    log.info("{} resumed in room {}", p.name, p.roomId);
    return p;
  }

  /** The participant is this pod's: the new socket takes the old one's place. */
  private Participant resumeHere(Participant p, ClientChannel channel, String requestId) {
    // Under the room's lock, like a join, so the fresh participant list and the events after it
    // tell the client of each participant once.
    ClientChannel replaced;
    synchronized (roomLock(p.roomId)) {
      List<ServerMessage.ParticipantState> existing;
      synchronized (p) {
        if (p.gone) {
          throw refuse(ErrorCode.INVALID_TOKEN, "the session has ended; join again", requestId);
        }
        if (p.detached) {
          long until = p.parkedUntil;
          p.parkedUntil = 0;
          if (!write(p)) {
            p.parkedUntil = until;
            throw refuse(ErrorCode.INVALID_TOKEN, "the session has ended; join again", requestId);
          }
          pods.unpark(p.entry());
        }
        replaced = p.detached ? null : p.channel;
        p.detached = false;
        p.channel = channel;
        p.known.clear();
        existing = introduce(p);
      }
      // Presence hears it before the client does: whatever the client does next comes after.
      presence(io.switchboard.presence.PresenceType.PARTICIPANT_RESUMED, p.roomId, p.name, p.nodeId, null, null, null);
      channel.send(new ServerMessage.Resumed(p.name, p.roomName));
      channel.send(new ServerMessage.ExistingParticipants(existing));
      tellIfMediaMoved(p);
    }
    if (replaced != null) {
      // Its socket was still open: one socket speaks for a participant, so the old one goes.
      replaced.closeReplaced("resumed on another socket");
    }
    observer.resumed(false);
    return p;
  }

  /**
   * The participant is another pod's (alive or dead) or this pod's from before a restart: this
   * pod takes its record over, then listens to its endpoints itself (KMS sends an object's events
   * only to sessions that subscribed). Its media never stopped: no SDP is exchanged again.
   */
  private Participant takeOver(RoomStore.MemberRecord member, RoomStore.SessionRecord session, String tokenHash,
      ClientChannel channel, String requestId) {
    RoomStore.RoomRecord room = store.room(session.roomId())
        .orElseThrow(() -> refuse(ErrorCode.INVALID_TOKEN, "the room has closed; join again", requestId));
    Participant p = new Participant(session.name(), session.roomId(), session.roomName(), room.nodeId(), room.kmsUrl(),
        member.id(), member.joinedAt(), channel, member.publisher(), tokenHash);
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
    synchronized (roomLock(p.roomId)) {
      Map<String, Participant> here = local.computeIfAbsent(p.roomId, r -> new ConcurrentHashMap<>());
      boolean first = here.isEmpty();
      if (first) {
        events.follow(p.roomId, event -> onRoomEvent(p.roomId, event));
      }
      boolean ours = false;
      try {
        // Noted before it is ours: should this pod die from here on, a janitor finds it.
        pods.serve(podId, p.entry());
        synchronized (p) {
          ours = store.replaceMember(p.roomId, p.name, member.pod(), member.publisher(), p.record(podId));
        }
        if (!ours) {
          throw refuse(ErrorCode.UNAVAILABLE, "the session changed while resuming; resume again", requestId);
        }
        if (!member.pod().equals(podId)) {
          pods.unserve(member.pod(), p.entry());
        }
        pods.unpark(p.entry());
        Participant previous = here.put(p.name, p);
        if (previous != null) {
          previous.gone = true; // this pod's from before: the record moved on without it
        }
        try {
          media.listen(p.kmsUrl, p.publisherEndpoint,
              c -> p.channel.send(new ServerMessage.IceCandidateFound(p.name, c, Stream.WEBCAM)));
        } catch (MediaServer.MediaException e) {
          if (!e.refused()) {
            throw e;
          }
          log.warn("{} in room {} cannot resume: its endpoint {} is gone", p.name, p.roomId, p.publisherEndpoint);
          leave(p);
          throw refuse(ErrorCode.INVALID_TOKEN, "the session's media is gone; join again", requestId);
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
              write(p);
            }
            events.publish(p.roomId, RoomEvents.RoomEvent.screen(p.name, p.memberId, podId, false));
          }
        }
        listenToSubscriptions(p);
        List<ServerMessage.ParticipantState> existing;
        synchronized (p) {
          existing = introduce(p);
        }
        // Presence hears it before the client does: whatever the client does next comes after.
        presence(io.switchboard.presence.PresenceType.PARTICIPANT_RESUMED, p.roomId, p.name, p.nodeId, null, null,
            null);
        channel.send(new ServerMessage.Resumed(p.name, p.roomName));
        channel.send(new ServerMessage.ExistingParticipants(existing));
        tellIfMediaMoved(p);
      } catch (RuntimeException e) {
        if (!ours) {
          if (first && here.isEmpty()) {
            local.remove(p.roomId, here);
            events.unfollow(p.roomId);
          }
        } else if (!p.gone) {
          // It is ours, but the socket was not told so: it waits for another resume, parked.
          synchronized (p) {
            p.detached = true;
            p.parkedUntil = deadline();
          }
          park(p);
          publishMoved(p);
        }
        throw e;
      }
    }
    publishMoved(p);
    observer.resumed(true);
    return p;
  }

  /** The pod that served the participant lets it go (closing the old socket if it is still open). */
  private void publishMoved(Participant p) {
    quietly(p.name, p.roomId, () -> events.publish(p.roomId, RoomEvents.RoomEvent.moved(p.name, p.memberId,
        podId)));
  }

  /**
   * Listens to a taken-over participant's subscriptions; those whose sender left meanwhile (its
   * old pod was not there to release them) are released.
   */
  private void listenToSubscriptions(Participant p) {
    Map<String, RoomStore.MemberRecord> members = store.members(p.roomId);
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
        releaseQuietly(p.kmsUrl, s.getValue());
        load.report(p.roomId, p.nodeId, -1, 0);
        synchronized (p) {
          p.subscriptions.remove(key);
        }
        changed = true;
      }
    }
    if (changed) {
      persist(p);
    }
  }

  /** Writes the participant's record; false when it is no longer this pod's. */
  private boolean persist(Participant p) {
    synchronized (p) {
      return !p.gone && write(p);
    }
  }

  /**
   * Writes the participant's record as this pod knows it, if the stored one is still this pod's
   * and has the publisher this pod knows (a rebuild of the room's media changes it). Call holding
   * the participant's monitor.
   */
  private boolean write(Participant p) {
    return store.replaceMember(p.roomId, p.name, podId, p.publisherEndpoint, p.record(podId));
  }

  private static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Tokens are stored hashed: a read of Redis does not hand out sessions. */
  private static String hash(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
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
    String roomId = RoomIds.of(join.room());
    RoomStore.RoomRecord room = openRoom(roomId, join.room(), join.requestId());
    // Like the tutorial, the publisher endpoint exists from the join on, so others can subscribe
    // to it at once; its candidates go to its owner as iceCandidate{name: own name}.
    String publisher;
    // Candidates go to whichever socket serves the participant when they come (a resume moves it).
    AtomicReference<Participant> owner = new AtomicReference<>();
    try {
      publisher = media.createEndpoint(room.kmsUrl(), room.pipelineId(), candidate -> {
        Participant p = owner.get();
        (p == null ? channel : p.channel).send(new ServerMessage.IceCandidateFound(join.name(), candidate, Stream.WEBCAM));
      });
    } catch (RuntimeException e) {
      if (!store.room(roomId).equals(Optional.of(room))) {
        return Optional.empty(); // closed meanwhile, and its pipeline released with it
      }
      // A room this join just opened must not outlive the failed join.
      if (store.members(roomId).isEmpty()) {
        closeRoom(roomId);
      }
      throw e;
    }
    String token = newToken();
    Participant self = new Participant(join.name(), roomId, join.room(), room.nodeId(), room.kmsUrl(),
        UUID.randomUUID().toString(), clock.millis(), channel, publisher, hash(token));
    owner.set(self);
    try {
      store.saveSession(self.tokenHash, new RoomStore.SessionRecord(roomId, join.name(), join.room()), SESSION_TTL);
      // Noted before it is a member: should this pod die from here on, a janitor finds it.
      pods.serve(podId, self.entry());
    } catch (RuntimeException e) {
      releaseQuietly(room.kmsUrl(), publisher);
      throw e;
    }
    // Follow the room before becoming a member: every join published after ours is heard, and
    // every one before it is in the member list read below.
    synchronized (roomLock(roomId)) {
      Map<String, Participant> here = local.computeIfAbsent(roomId, r -> new ConcurrentHashMap<>());
      RoomStore.Added added;
      try {
        if (here.isEmpty()) {
          events.follow(roomId, event -> onRoomEvent(roomId, event));
        }
        synchronized (self) {
          added = store.addMember(roomId, room.pipelineId(), join.name(), self.record(podId),
              settings.limits().maxParticipants());
        }
      } catch (RuntimeException e) {
        // Whether Redis added the member is unknown: the entry in this pod's index stays, so
        // the janitor parks (and in time removes) a member that did make it.
        quietly(join.name(), roomId, () -> store.deleteSession(self.tokenHash));
        if (here.isEmpty()) {
          local.remove(roomId, here);
          quietly(join.name(), roomId, () -> events.unfollow(roomId));
        }
        releaseQuietly(room.kmsUrl(), publisher);
        throw e;
      }
      if (added != RoomStore.Added.ADDED) {
        store.deleteSession(self.tokenHash);
        pods.unserve(podId, self.entry());
        if (here.isEmpty()) {
          local.remove(roomId, here);
          events.unfollow(roomId);
        }
        releaseQuietly(room.kmsUrl(), publisher);
        if (added == RoomStore.Added.ROOM_GONE) {
          return Optional.empty();
        }
        if (added == RoomStore.Added.ROOM_FULL) {
          if (store.members(roomId).isEmpty()) {
            closeRoom(roomId); // a limit of 0: the room this join opened must not stay
          }
          throw refuse(ErrorCode.ROOM_FULL, "room " + join.room() + " has " + settings.limits().maxParticipants()
              + " participants, as many as it may", join.requestId());
        }
        throw refuse(ErrorCode.NAME_TAKEN, "someone in room " + join.room() + " is already called " + join.name(),
            join.requestId());
      }
      here.put(join.name(), self);
      // Before the client hears it joined: presence follows what clients see.
      presence(io.switchboard.presence.PresenceType.PARTICIPANT_JOINED, roomId, join.room(), join.name(),
          room.nodeId(), true, true, null);
      // Under the room's lock, so a join event delivered meanwhile is not announced twice: the
      // client hears of each participant once, in existingParticipants or newParticipantArrived.
      List<ServerMessage.ParticipantState> existing;
      try {
        synchronized (self) {
          existing = introduce(self);
        }
      } catch (RuntimeException e) {
        leaveQuietly(self);
        throw e;
      }
      channel.send(new ServerMessage.ExistingParticipants(existing));
      channel.send(new ServerMessage.Session(token));
    }
    quietly(join.name(), roomId, () -> load.report(roomId, room.nodeId(), 1, 1));
    try {
      events.publish(roomId, RoomEvents.RoomEvent.joined(join.name(), self.memberId, podId,
          true, true));
    } catch (RuntimeException e) {
      leaveQuietly(self); // the others would never hear of it
      throw e;
    }
    log.info("{} joined room {}", join.name(), roomId);
    return Optional.of(self);
  }

  /**
   * The room's record, creating it (placement, then a pipeline on the chosen node) when this is
   * the room's first join. Creation is atomic across pods: one caller holds the room's lock and
   * creates; the others wait for its record, so two first joins never make two pipelines.
   */
  private RoomStore.RoomRecord openRoom(String roomId, String roomName, String requestId) {
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
          RoomPlacementClient.PlacedRoom placed = placement.place(roomId, settings.expectedParticipants());
          String pipeline = media.createPipeline(placed.kmsUrl());
          RoomStore.RoomRecord room = new RoomStore.RoomRecord(placed.nodeId(), placed.kmsUrl(), pipeline);
          store.saveRoom(roomId, room);
          log.info("room {} opened on {} (pipeline {})", roomId, placed.nodeId(), pipeline);
          presence(io.switchboard.presence.PresenceType.ROOM_OPENED, roomId, roomName, null, placed.nodeId(), null,
              null, null);
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

  /** A participant's endpoint for a stream, as keyed in subscriptions and pending candidates. */
  static String key(String name, Stream stream) {
    return stream == Stream.SCREEN ? name + "#screen" : name;
  }

  private void receiveVideoFrom(Participant self, ClientMessage.ReceiveVideoFrom receive) {
    if (receive.sender().equals(self.name)) {
      mayPublish(receive.requestId());
      if (receive.stream() == Stream.SCREEN) {
        throw refuse(ErrorCode.UNKNOWN_STREAM, "share a screen with publishScreen", receive.requestId());
      }
      publish(self, receive.sdpOffer(), receive.requestId(),
          answer -> new ServerMessage.ReceiveVideoAnswer(self.name, answer, Stream.WEBCAM));
      return;
    }
    subscribe(self, receive.sender(), receive.stream(), receive.sdpOffer(), receive.requestId(),
        answer -> new ServerMessage.ReceiveVideoAnswer(receive.sender(), answer, receive.stream()));
  }

  /** A new endpoint receiving {@code sender}'s stream, negotiated with {@code offer}. */
  private void subscribe(Participant self, String sender, Stream stream, String offer, String requestId,
      java.util.function.Function<String, ServerMessage> answered) {
    RoomStore.MemberRecord source = store.members(self.roomId).get(sender);
    if (source == null) {
      throw refuse(ErrorCode.UNKNOWN_SENDER, "nobody called " + sender + " is in room " + self.roomName, requestId);
    }
    String sourceEndpoint = stream == Stream.SCREEN ? source.screen() : source.publisher();
    if (sourceEndpoint == null) {
      throw refuse(ErrorCode.UNKNOWN_STREAM, sender + " shares no screen", requestId);
    }
    String key = key(sender, stream);
    String endpoint;
    synchronized (self) {
      if (self.subscriptions.containsKey(key)) {
        throw refuse(ErrorCode.INVALID_SDP, "already receiving " + sender + "'s " + stream.wire(), requestId);
      }
      endpoint = media.createEndpoint(self.kmsUrl, roomPipeline(self), candidate ->
          self.channel.send(new ServerMessage.IceCandidateFound(sender, candidate, stream)));
      self.subscriptions.put(key, endpoint);
    }
    load.report(self.roomId, self.nodeId, 1, 0);
    try {
      // Recorded before it negotiates: a pod that takes the participant over finds it.
      if (!persist(self)) {
        throw refuse(ErrorCode.NOT_JOINED, "this session moved to another socket", requestId);
      }
      media.connect(self.kmsUrl, sourceEndpoint, endpoint);
      negotiate(self, endpoint, key, offer, requestId, answered);
    } catch (RuntimeException e) {
      synchronized (self) {
        self.subscriptions.remove(key);
      }
      releaseQuietly(self.kmsUrl, endpoint);
      load.report(self.roomId, self.nodeId, -1, 0);
      persistQuietly(self);
      throw e;
    }
  }

  private void publish(Participant self, String offer, String requestId,
      java.util.function.Function<String, ServerMessage> answered) {
    synchronized (self) {
      if (self.publishing) {
        throw refuse(ErrorCode.INVALID_SDP, "already publishing: an endpoint negotiates once", requestId);
      }
      self.publishing = true;
    }
    try {
      negotiate(self, self.publisherEndpoint, self.name, offer, requestId, answered);
    } catch (RuntimeException e) {
      synchronized (self) {
        self.publishing = false;
      }
      throw e;
    }
    persistQuietly(self);
  }

  /**
   * Applies the candidates kept for {@code key}, answers {@code offer} (the answer goes to the
   * client as {@code answered} makes it) and starts gathering KMS's candidates.
   */
  private void negotiate(Participant self, String endpoint, String key, String offer, String requestId,
      java.util.function.Function<String, ServerMessage> answered) {
    for (IceCandidate c : self.takePending(key)) {
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
    self.channel.send(answered.apply(answer));
    media.gatherCandidates(self.kmsUrl, endpoint);
  }

  // ---------------------------------------------------------------- screen sharing

  private void mayPublish(String requestId) {
    if (!settings.limits().mayPublish()) {
      throw refuse(ErrorCode.NOT_ALLOWED, "sending media is not allowed in this room", requestId);
    }
  }

  /**
   * The sending socket's join token must grant what the message does (always so without a token).
   * Judged by the socket the message came on, not the participant's current one: a resume may
   * have moved the participant to a socket with other grants meanwhile.
   */
  private void requireGrants(Participant self, ClientChannel channel, ClientMessage message) {
    Access access = channel.access();
    if (!access.restricted()) {
      return;
    }
    if (message instanceof ClientMessage.ReceiveVideoFrom receive) {
      boolean own = receive.sender().equals(self.name);
      need(access, own ? Grant.PUBLISH : Grant.SUBSCRIBE,
          own ? "sending media" : "receiving others' media", receive.requestId());
    } else if (message instanceof ClientMessage.PublishScreen share) {
      need(access, Grant.PUBLISH, "sharing a screen", share.requestId());
    } else if (message instanceof ClientMessage.StartRecording start) {
      need(access, Grant.RECORD, "recording", start.requestId());
    } else if (message instanceof ClientMessage.Presenter present) {
      try {
        need(access, Grant.PUBLISH, "presenting", present.requestId());
        need(access, Grant.PRESENTER, "presenting", present.requestId());
      } catch (ProtocolException e) {
        channel.send(new ServerMessage.BroadcastResponse(true, false, null, e.getMessage()));
        throw e;
      }
    } else if (message instanceof ClientMessage.Viewer view) {
      try {
        need(access, Grant.SUBSCRIBE, "viewing the presenter", view.requestId());
      } catch (ProtocolException e) {
        channel.send(new ServerMessage.BroadcastResponse(false, false, null, e.getMessage()));
        throw e;
      }
    }
  }

  private static void need(Access access, Grant grant, String what, String requestId) {
    if (!access.may(grant)) {
      throw refuse(ErrorCode.NOT_ALLOWED, what + " needs the " + grant.wire() + " grant, which your join token lacks",
          requestId);
    }
  }

  private void publishScreen(Participant self, ClientMessage.PublishScreen share) {
    mayPublish(share.requestId());
    synchronized (self) {
      if (self.screenEndpoint != null || self.screenPending) {
        throw refuse(ErrorCode.INVALID_SDP, "already sharing a screen", share.requestId());
      }
      self.screenPending = true;
    }
    String endpoint = null;
    try {
      endpoint = media.createEndpoint(self.kmsUrl, roomPipeline(self), candidate ->
          self.channel.send(new ServerMessage.IceCandidateFound(self.name, candidate, Stream.SCREEN)));
      load.report(self.roomId, self.nodeId, 1, 0);
      negotiate(self, endpoint, key(self.name, Stream.SCREEN), share.sdpOffer(), share.requestId(),
          answer -> new ServerMessage.ReceiveVideoAnswer(self.name, answer, Stream.SCREEN));
      synchronized (self) {
        self.screenEndpoint = endpoint;
        self.screenPending = false;
        if (!write(self)) {
          throw refuse(ErrorCode.NOT_JOINED, "this session moved to another socket", share.requestId());
        }
      }
    } catch (RuntimeException e) {
      synchronized (self) {
        self.screenEndpoint = null;
        self.screenPending = false;
      }
      if (endpoint != null) {
        releaseQuietly(self.kmsUrl, endpoint);
        load.report(self.roomId, self.nodeId, -1, 0);
      }
      throw e;
    }
    events.publish(self.roomId, RoomEvents.RoomEvent.screen(self.name, self.memberId, podId, true));
  }

  private void unpublishScreen(Participant self, ClientMessage.UnpublishScreen stop) {
    String endpoint;
    synchronized (self) {
      endpoint = self.screenEndpoint;
      if (endpoint == null) {
        throw refuse(ErrorCode.UNKNOWN_STREAM, "no screen is shared", stop.requestId());
      }
      self.screenEndpoint = null;
      write(self);
    }
    releaseQuietly(self.kmsUrl, endpoint);
    load.report(self.roomId, self.nodeId, -1, 0);
    // The others let go of what they received of it.
    events.publish(self.roomId, RoomEvents.RoomEvent.screen(self.name, self.memberId, podId, false));
  }

  // ---------------------------------------------------------------- broadcast (one2many)

  private static String presenterValue(Participant p) {
    return p.memberId + " " + p.name;
  }

  private static String presenterName(String value) {
    return value.substring(value.indexOf(' ') + 1);
  }

  /**
   * {@code presenter}: this participant becomes the room's one presenter, its camera answered as
   * {@code presenterResponse}. A refusal is a {@code presenterResponse} rejected (what Kurento's
   * one2many client understands) and an {@code error}.
   */
  private void presenter(Participant self, ClientMessage.Presenter present) {
    String who = presenterValue(self);
    try {
      mayPublish(present.requestId());
      synchronized (self) {
        if (self.publishing) {
          throw refuse(ErrorCode.NOT_ALLOWED, store.presenter(self.roomId).filter(who::equals).isPresent()
              ? "already presenting" : "your camera is published already: stop, then present", present.requestId());
        }
      }
      if (!store.claimPresenter(self.roomId, who)) {
        String current = store.presenter(self.roomId).map(GroupCallService::presenterName).orElse("someone");
        throw refuse(ErrorCode.NOT_ALLOWED, current + " is presenting", present.requestId());
      }
      try {
        publish(self, present.sdpOffer(), present.requestId(),
            answer -> new ServerMessage.BroadcastResponse(true, true, answer, null));
      } catch (RuntimeException e) {
        quietly(self.name, self.roomId, () -> store.releasePresenter(self.roomId, who));
        throw e;
      }
    } catch (ProtocolException e) {
      self.channel.send(new ServerMessage.BroadcastResponse(true, false, null, e.getMessage()));
      throw e;
    }
    events.publish(self.roomId, RoomEvents.RoomEvent.presenter(self.name, self.memberId, podId, true));
  }

  /** {@code viewer}: receive the presenter, answered as {@code viewerResponse}. */
  private void viewer(Participant self, ClientMessage.Viewer view) {
    try {
      String presenter = store.presenter(self.roomId).map(GroupCallService::presenterName)
          .orElseThrow(() -> refuse(ErrorCode.UNKNOWN_SENDER, "nobody is presenting in room " + self.roomName,
              view.requestId()));
      if (presenter.equals(self.name)) {
        throw refuse(ErrorCode.UNKNOWN_SENDER, "you are the presenter", view.requestId());
      }
      subscribe(self, presenter, Stream.WEBCAM, view.sdpOffer(), view.requestId(),
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
  private void stopBroadcast(Participant self, ClientMessage.Stop stop) {
    if (store.releasePresenter(self.roomId, presenterValue(self))) {
      renewPublisher(self);
      events.publish(self.roomId, RoomEvents.RoomEvent.presenter(self.name, self.memberId, podId, false));
      return;
    }
    String presenter = store.presenter(self.roomId).map(GroupCallService::presenterName).orElse(null);
    String endpoint;
    synchronized (self) {
      endpoint = presenter == null ? null : self.subscriptions.remove(presenter);
    }
    if (endpoint == null) {
      throw refuse(ErrorCode.UNKNOWN_STREAM, "neither presenting nor viewing", stop.requestId());
    }
    releaseQuietly(self.kmsUrl, endpoint);
    quietly(self.name, self.roomId, () -> load.report(self.roomId, self.nodeId, -1, 0));
    persistQuietly(self);
  }

  /** Replaces the participant's camera endpoint with a new one, not negotiated yet. */
  private void renewPublisher(Participant self) {
    String fresh = media.createEndpoint(self.kmsUrl, roomPipeline(self), c ->
        self.channel.send(new ServerMessage.IceCandidateFound(self.name, c, Stream.WEBCAM)));
    String old;
    synchronized (self) {
      old = self.publisherEndpoint;
      self.publisherEndpoint = fresh;
      self.publishing = false;
      if (!store.replaceMember(self.roomId, self.name, podId, old, self.record(podId))) {
        self.publisherEndpoint = old;
        releaseQuietly(self.kmsUrl, fresh);
        throw refuse(ErrorCode.NOT_JOINED, "this session moved to another socket", null);
      }
    }
    releaseQuietly(self.kmsUrl, old);
  }

  /** The presenter stopped: {@code p} lets go of what it received, and is told if it was viewing. */
  private void presenterStopped(Participant p, RoomEvents.RoomEvent event) {
    String endpoint;
    synchronized (p) {
      endpoint = p.subscriptions.remove(event.name());
      p.pendingCandidates.remove(event.name());
    }
    if (endpoint != null) {
      releaseQuietly(p.kmsUrl, endpoint);
      quietly(p.name, p.roomId, () -> load.report(p.roomId, p.nodeId, -1, 0));
      persistQuietly(p);
      p.channel.send(new ServerMessage.StopCommunication());
    }
  }

  // ---------------------------------------------------------------- recording

  /** Records the participant's camera with a RecorderEndpoint; the room is told. */
  private void startRecording(Participant self, ClientMessage.StartRecording start) {
    if (!settings.limits().mayRecord()) {
      throw refuse(ErrorCode.NOT_ALLOWED, "recording is not allowed in this room", start.requestId());
    }
    String uri = settings.limits().recordingUri(self.roomId, self.name, clock.millis());
    synchronized (self) {
      if (self.recorder != null || self.recordingUri != null) {
        throw refuse(ErrorCode.NOT_ALLOWED, "already recording to " + self.recordingUri, start.requestId());
      }
      if (!self.publishing) {
        throw refuse(ErrorCode.UNKNOWN_STREAM, "publish your camera before recording it", start.requestId());
      }
      self.recordingUri = uri; // taken: a second start is refused while this one runs
    }
    String recorder = null;
    try {
      recorder = media.createRecorder(self.kmsUrl, roomPipeline(self), uri);
      media.connect(self.kmsUrl, self.publisherEndpoint, recorder);
      synchronized (self) {
        // Known before it records: a failure KMS reports at once must find it.
        self.recorder = recorder;
        if (!write(self)) {
          throw refuse(ErrorCode.NOT_JOINED, "this session moved to another socket", start.requestId());
        }
      }
      String started = recorder;
      media.record(self.kmsUrl, recorder, reason -> mediaCleanup.execute(() -> recordingFailed(self, started, reason)));
    } catch (RuntimeException e) {
      synchronized (self) {
        self.recorder = null;
        self.recordingUri = null;
      }
      if (recorder != null) {
        releaseQuietly(self.kmsUrl, recorder);
      }
      throw e;
    }
    quietly(self.name, self.roomId, () -> load.report(self.roomId, self.nodeId, 1, 0));
    events.publish(self.roomId, RoomEvents.RoomEvent.recording(self.name, self.memberId, podId, true, uri));
  }

  private void stopRecording(Participant self, ClientMessage.StopRecording stop) {
    String recorder;
    String uri;
    synchronized (self) {
      recorder = self.recorder;
      uri = self.recordingUri;
      if (recorder == null) {
        throw refuse(ErrorCode.UNKNOWN_STREAM, "nothing is being recorded", stop.requestId());
      }
      self.recorder = null;
      self.recordingUri = null;
      write(self);
    }
    finishRecording(self.kmsUrl, recorder);
    quietly(self.name, self.roomId, () -> load.report(self.roomId, self.nodeId, -1, 0));
    events.publish(self.roomId, RoomEvents.RoomEvent.recording(self.name, self.memberId, podId, false, uri));
  }

  /** KMS reported that a recording failed: it ends, and the participant is told why. */
  private void recordingFailed(Participant self, String recorder, String reason) {
    String uri;
    synchronized (self) {
      if (self.gone || !recorder.equals(self.recorder)) {
        return; // stopped meanwhile
      }
      uri = self.recordingUri;
      self.recorder = null;
      self.recordingUri = null;
      quietly(self.name, self.roomId, () -> write(self));
    }
    log.warn("{} in room {}: recording to {} failed: {}", self.name, self.roomId, uri, reason);
    releaseQuietly(self.kmsUrl, recorder);
    quietly(self.name, self.roomId, () -> load.report(self.roomId, self.nodeId, -1, 0));
    self.channel.send(new ServerMessage.Error(ErrorCode.UNAVAILABLE.wire(), "recording to " + uri + " failed: " + reason,
        null));
    quietly(self.name, self.roomId, () -> events.publish(self.roomId,
        RoomEvents.RoomEvent.recording(self.name, self.memberId, podId, false, uri)));
  }

  /** Stops a recorder so that its file is complete, and releases it; never throws. */
  private void finishRecording(String kmsUrl, String recorder) {
    try {
      media.stopRecording(kmsUrl, recorder);
    } catch (RuntimeException e) {
      log.warn("recorder {} not stopped cleanly: {}", recorder, e.toString());
      releaseQuietly(kmsUrl, recorder);
    }
  }

  private void onIceCandidate(Participant self, ClientMessage.OnIceCandidate message) {
    String key = key(message.name(), message.stream());
    String endpoint = endpointFor(self, message);
    if (endpoint == null) {
      // Not negotiated yet: kept, never dropped — if the stream exists (or is being made).
      boolean known;
      if (message.name().equals(self.name)) {
        synchronized (self) {
          known = message.stream() == Stream.WEBCAM || self.screenPending || self.screenEndpoint != null;
        }
      } else {
        RoomStore.MemberRecord source = store.members(self.roomId).get(message.name());
        known = source != null && (message.stream() == Stream.WEBCAM || source.screen() != null);
      }
      if (!known) {
        throw refuse(ErrorCode.UNKNOWN_STREAM, "no " + message.stream().wire() + " of " + message.name() + " in room "
            + self.roomName, message.requestId());
      }
      synchronized (self) {
        endpoint = endpointFor(self, message);
        if (endpoint == null) {
          if (!self.keep(key, message.candidate())) {
            throw refuse(ErrorCode.INVALID_VALUE, "too many candidates waiting for " + message.name(),
                message.requestId());
          }
          return;
        }
      }
    }
    media.addIceCandidate(self.kmsUrl, endpoint, message.candidate());
  }

  /** The negotiated endpoint a browser candidate is for, or null. */
  private static String endpointFor(Participant self, ClientMessage.OnIceCandidate message) {
    synchronized (self) {
      if (!message.name().equals(self.name)) {
        return self.subscriptions.get(key(message.name(), message.stream()));
      }
      if (message.stream() == Stream.SCREEN) {
        return self.screenEndpoint;
      }
      return self.publishing ? self.publisherEndpoint : null;
    }
  }


  private String roomPipeline(Participant self) {
    return store.room(self.roomId)
        .orElseThrow(() -> refuse(ErrorCode.UNAVAILABLE, "room " + self.roomName + " is gone", null))
        .pipelineId();
  }

  /** Writes the participant's record, logging (not throwing) a failure: the next write carries it. */
  private void persistQuietly(Participant p) {
    try {
      persist(p);
    } catch (RuntimeException e) {
      log.warn("{} in room {}: record not updated: {}", p.name, p.roomId, e.toString());
    }
  }

  // ---------------------------------------------------------------- a lost KMS node

  /**
   * Placement announced that a KMS node is gone (DOWN, or drained past its deadline) and removed
   * the placements of its rooms: each of these rooms is rebuilt on a new node, once (whichever
   * pod takes the room's lock), and its participants are told to renegotiate.
   */
  public void nodeLost(String nodeId, boolean down, List<String> rooms, String reason) {
    java.util.Set<String> urls = new java.util.HashSet<>();
    for (String roomId : rooms) {
      try {
        store.room(roomId).filter(r -> r.nodeId().equals(nodeId)).ifPresent(r -> urls.add(r.kmsUrl()));
      } catch (RuntimeException e) {
        log.warn("room {}: {}", roomId, e.toString());
      }
      rebuilds.execute(() -> {
        try (var room = org.slf4j.MDC.putCloseable("room", roomId)) {
          rebuild(roomId, nodeId, down, reason);
        } catch (RuntimeException e) {
          log.error("room {} could not be rebuilt after losing node {}: {}", roomId, nodeId, e.toString());
        }
      });
    }
    if (down) {
      // Nothing of ours is left on a dead node: stop reconnecting to it. Should it come back, KMS
      // collects what our sessions held once their sockets are gone.
      rebuilds.execute(() -> urls.forEach(media::disconnect));
    }
  }

  private void rebuild(String roomId, String lostNode, boolean down, String reason) {
    if (store.room(roomId).filter(r -> r.nodeId().equals(lostNode)).isEmpty()) {
      return; // closed, or rebuilt by another pod already
    }
    String owner = podId + "/" + UUID.randomUUID();
    if (!store.lockRoom(roomId, owner)) {
      log.info("room {}: another pod is opening or rebuilding it", roomId);
      return;
    }
    RoomStore.RoomRecord old;
    RoomStore.RoomRecord rebuilt;
    int moved = 0;
    try {
      old = store.room(roomId).filter(r -> r.nodeId().equals(lostNode)).orElse(null);
      if (old == null) {
        return;
      }
      int expected = Math.max(settings.expectedParticipants(), store.members(roomId).size());
      RoomPlacementClient.PlacedRoom placed = placement.place(roomId, expected);
      if (placed.nodeId().equals(lostNode)) {
        log.warn("room {}: placement still places it on {}; not rebuilt", roomId, lostNode);
        return;
      }
      rebuilt = new RoomStore.RoomRecord(placed.nodeId(), placed.kmsUrl(), media.createPipeline(placed.kmsUrl()));
      // From here joins go to the new pipeline; one that read the old record is refused by
      // addMember (ROOM_GONE) and starts over, and one that made it is in the list read next.
      store.saveRoom(roomId, rebuilt);
      for (Map.Entry<String, RoomStore.MemberRecord> m : store.members(roomId).entrySet()) {
        String endpoint = media.createEndpoint(rebuilt.kmsUrl(), rebuilt.pipelineId(), null);
        if (rebuildMember(roomId, m.getKey(), m.getValue(), endpoint)) {
          moved++;
        } else {
          releaseQuietly(rebuilt.kmsUrl(), endpoint);
        }
      }
      load.report(roomId, rebuilt.nodeId(), moved, moved);
      events.publish(roomId, RoomEvents.RoomEvent.rebuilt(podId));
    } finally {
      store.unlockRoom(roomId, owner);
    }
    log.warn("room {} rebuilt on node {} ({} participants must renegotiate): node {} was lost ({})", roomId,
        rebuilt.nodeId(), moved, lostNode, reason);
    observer.roomRebuilt();
    if (!down) {
      // A drained node is still there: free it.
      mediaCleanup.execute(() -> releaseQuietly(old.kmsUrl(), old.pipelineId()));
    }
  }

  /** Points a member's record at its new publisher endpoint, whichever pod serves it. */
  private boolean rebuildMember(String roomId, String name, RoomStore.MemberRecord member, String endpoint) {
    RoomStore.MemberRecord m = member;
    for (int attempt = 0; attempt < 5 && m != null; attempt++) {
      if (store.replaceMember(roomId, name, m.pod(), m.publisher(), m.rebuiltWith(endpoint))) {
        return true;
      }
      m = store.member(roomId, name).orElse(null); // its pod wrote it meanwhile
    }
    return false;
  }

  /** The room's media was rebuilt: this pod's participant takes its new endpoint. */
  private void mediaRebuilt(String roomId, Participant p) {
    try {
      RoomStore.MemberRecord m = store.member(roomId, p.name)
          .filter(r -> r.id().equals(p.memberId) && r.pod().equals(podId)).orElse(null);
      RoomStore.RoomRecord room = store.room(roomId).orElse(null);
      if (m == null || room == null) {
        return;
      }
      List<String> stale = new ArrayList<>();
      String oldKms;
      boolean tell;
      synchronized (p) {
        if (p.gone || m.publisher().equals(p.publisherEndpoint)) {
          return; // not rebuilt, or already taken in
        }
        oldKms = p.kmsUrl;
        stale.addAll(p.record(podId).endpoints());
        p.screenEndpoint = null;
        p.recorder = null;
        p.recordingUri = null;
        p.kmsUrl = room.kmsUrl();
        p.nodeId = room.nodeId();
        p.publisherEndpoint = m.publisher();
        p.publishing = false;
        p.subscriptions.clear();
        p.pendingCandidates.clear();
        tell = !p.detached;
        p.mediaMoved = !tell; // a detached participant is told when it resumes
        write(p);
      }
      stale.forEach(e -> media.forget(oldKms, e));
      media.listen(p.kmsUrl, p.publisherEndpoint,
          c -> p.channel.send(new ServerMessage.IceCandidateFound(p.name, c, Stream.WEBCAM)));
      if (tell) {
        tellMediaMoved(p);
      }
    } catch (RuntimeException e) {
      log.warn("{} in room {}: could not take in the rebuilt media: {}", p.name, roomId, e.toString());
    }
  }

  private void tellIfMediaMoved(Participant p) {
    boolean tell;
    synchronized (p) {
      tell = p.mediaMoved;
      p.mediaMoved = false;
      if (tell) {
        write(p);
      }
    }
    if (tell) {
      tellMediaMoved(p);
    }
  }

  /**
   * Tells a client its peer connections are dead: {@code mediaMoved} (publish again), then each
   * other participant leaves and arrives again, which is what makes the tutorial's client, which
   * knows no {@code mediaMoved}, subscribe anew.
   */
  private void tellMediaMoved(Participant p) {
    Map<String, RoomStore.MemberRecord> members = store.members(p.roomId);
    List<String> others;
    synchronized (p) {
      others = new ArrayList<>(p.known.keySet());
    }
    p.channel.send(new ServerMessage.MediaMoved(MEDIA_MOVED));
    for (String other : others) {
      RoomStore.MemberRecord m = members.get(other);
      p.channel.send(new ServerMessage.ParticipantLeft(other));
      if (m != null) {
        p.channel.send(new ServerMessage.NewParticipantArrived(other, m.audio(), m.video()));
      }
    }
  }

  private static final String MEDIA_MOVED =
      "the room's media server was lost and the room moved to another: publish and subscribe again";

  // ---------------------------------------------------------------- media state and chat

  private void mediaState(Participant self, ClientMessage.MediaState state) {
    synchronized (self) {
      self.audio = state.audio();
      self.video = state.video();
      if (!write(self)) {
        throw refuse(ErrorCode.NOT_JOINED, "this session moved to another socket", state.requestId());
      }
    }
    // Everyone hears it, the sender too (its other devices, and a confirmation).
    events.publish(self.roomId, RoomEvents.RoomEvent.media(self.name, self.memberId, podId, state.audio(),
        state.video()));
    presence(io.switchboard.presence.PresenceType.PARTICIPANT_MEDIA_CHANGED, self.roomId, self.name, self.nodeId, state.audio(), state.video(), null);
  }

  private void chat(Participant self, ClientMessage.Chat chat) {
    if (chat.to() != null && !store.members(self.roomId).containsKey(chat.to())) {
      throw refuse(ErrorCode.UNKNOWN_SENDER, "nobody called " + chat.to() + " is in room " + self.roomName,
          chat.requestId());
    }
    events.publish(self.roomId, RoomEvents.RoomEvent.chat(self.name, self.memberId, podId, chat.text(), chat.to(),
        clock.millis()));
  }

  /** Someone started or stopped sharing a screen: tell {@code p}, letting go of what it received of it. */
  private void screenChanged(Participant p, RoomEvents.RoomEvent event) {
    if (!event.published()) {
      String endpoint;
      synchronized (p) {
        endpoint = p.subscriptions.remove(key(event.name(), Stream.SCREEN));
        p.pendingCandidates.remove(key(event.name(), Stream.SCREEN));
      }
      if (endpoint != null) {
        releaseQuietly(p.kmsUrl, endpoint);
        load.report(p.roomId, p.nodeId, -1, 0);
        persistQuietly(p);
      }
    }
    p.channel.send(new ServerMessage.ScreenShare(event.name(), event.published()));
  }

  /** A chat message reaches the whole room, or the addressee and the writer of a direct one. */
  private static boolean reaches(RoomEvents.RoomEvent chat, Participant p) {
    return chat.to() == null || p.name.equals(chat.to()) || p.name.equals(chat.name());
  }

  // ---------------------------------------------------------------- leave

  private void leave(Participant self) {
    synchronized (self) {
      if (self.gone) {
        return;
      }
      self.gone = true;
      self.detached = false;
    }
    long left;
    try {
      left = store.removeMember(self.roomId, self.name, self.memberId, podId);
    } catch (RuntimeException e) {
      synchronized (self) {
        self.gone = false; // still a member: the client may leave again
      }
      throw e;
    }
    if (left < 0) {
      // No longer this pod's (it resumed elsewhere, or a janitor removed it): nothing here to release.
      letGo(self, false);
      return;
    }
    // Presence hears it now, before the slow releases: a rejoin under the same name comes after.
    presence(io.switchboard.presence.PresenceType.PARTICIPANT_LEFT, self.roomId, self.name, self.nodeId, null, null,
        "left");
    // Removed: from here on every step is tried, whatever fails before it; nobody else will.
    quietly(self.name, self.roomId, () -> pods.unserve(podId, self.entry()));
    quietly(self.name, self.roomId, () -> pods.unpark(self.entry()));
    quietly(self.name, self.roomId, () -> store.deleteSession(self.tokenHash));
    List<String> endpoints;
    String recorder;
    String recordingUri;
    synchronized (self) {
      endpoints = self.record(podId).endpoints();
      recorder = self.recorder;
      recordingUri = self.recordingUri;
      self.subscriptions.clear();
      self.screenEndpoint = null;
      self.recorder = null;
      self.recordingUri = null;
    }
    quietly(self.name, self.roomId, () -> {
      if (store.releasePresenter(self.roomId, presenterValue(self))) {
        events.publish(self.roomId, RoomEvents.RoomEvent.presenter(self.name, self.memberId, podId, false));
      }
    });
    if (recorder != null) {
      finishRecording(self.kmsUrl, recorder);
      endpoints.add(recorder); // counted with the rest in the load report
      quietly(self.name, self.roomId, () -> events.publish(self.roomId,
          RoomEvents.RoomEvent.recording(self.name, self.memberId, podId, false, recordingUri)));
    }
    endpoints.stream().filter(e -> !e.equals(recorder)).forEach(e -> releaseQuietly(self.kmsUrl, e));
    quietly(self.name, self.roomId, () -> load.report(self.roomId, self.nodeId, -endpoints.size(), -1));
    // Everyone in the room hears it, on whichever pod they are; the others release what they
    // received from the one who left.
    quietly(self.name, self.roomId, () -> events.publish(self.roomId, RoomEvents.RoomEvent.left(self.name,
        self.memberId, podId)));
    quietly(self.name, self.roomId, () -> forget(self));
    log.info("{} left room {} ({} remain)", self.name, self.roomId, left);
    if (left == 0) {
      quietly(self.name, self.roomId, () -> closeRoom(self.roomId));
    }
  }

  /** A leave that must not throw (the caller is already failing); what it cannot do, the janitor does. */
  private void leaveQuietly(Participant self) {
    try {
      leave(self);
    } catch (RuntimeException e) {
      log.warn("{} of room {} could not leave now: {}", self.name, self.roomId, e.toString());
    }
  }

  /** Takes a participant out of this pod's map, unfollowing the room when it was the last here. */
  private void forget(Participant self) {
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
  }

  /**
   * The participant is no longer this pod's: it resumed on another pod, or a janitor removed it.
   * Its endpoints are not released here; this pod only stops listening to them, and closes the
   * participant's socket if it is still open.
   */
  private void letGo(Participant self, boolean moved) {
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
    Map<String, Object> listeners = new java.util.HashMap<>();
    endpoints.forEach(e -> {
      Object l = media.listener(kmsUrl, e);
      if (l != null) {
        listeners.put(e, l);
      }
    });
    try {
      mediaCleanup.execute(() -> listeners.forEach((e, l) -> media.unlisten(kmsUrl, e, l)));
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // the pod is stopping: its KMS sessions go with it
    }
    if (open != null) {
      if (moved) {
        open.closeReplaced("resumed on another signaling pod");
      } else {
        open.closeEnded("the session ended: join again");
      }
    }
    log.info("{} in room {} is no longer served here ({})", self.name, self.roomId, moved ? "resumed elsewhere" : "removed");
  }

  /** An event of a room this pod has participants in, published by any pod (this one too). */
  private void onRoomEvent(String roomId, RoomEvents.RoomEvent event) {
    try (var room = org.slf4j.MDC.putCloseable("room", roomId)) {
      deliverRoomEvent(roomId, event);
    }
  }

  private void deliverRoomEvent(String roomId, RoomEvents.RoomEvent event) {
    Participant subject = null;
    synchronized (roomLock(roomId)) {
      Map<String, Participant> here = local.get(roomId);
      if (here == null) {
        return;
      }
      Participant named = here.get(event.name());
      if (named != null && named.memberId.equals(event.memberId())) {
        subject = named;
      }
      if (event.type() == RoomEvents.RoomEvent.Type.REBUILT) {
        List<Participant> all = List.copyOf(here.values());
        rebuilds.execute(() -> all.forEach(p -> mediaRebuilt(roomId, p)));
        return;
      }
      if (event.type() == RoomEvents.RoomEvent.Type.MEDIA) {
        here.values().forEach(p -> p.channel.send(
            new ServerMessage.ParticipantMediaState(event.name(), event.audio(), event.video())));
        return;
      }
      if (event.type() == RoomEvents.RoomEvent.Type.SCREEN) {
        for (Participant p : here.values()) {
          if (!p.name.equals(event.name())) {
            screenChanged(p, event);
          }
        }
        return;
      }
      if (event.type() == RoomEvents.RoomEvent.Type.PRESENTER) {
        if (!event.published()) {
          here.values().stream().filter(p -> !p.name.equals(event.name())).forEach(p -> presenterStopped(p, event));
        }
        return;
      }
      if (event.type() == RoomEvents.RoomEvent.Type.RECORDING) {
        here.values().forEach(p -> p.channel.send(new ServerMessage.Recording(event.name(), event.published(),
            event.text())));
        return;
      }
      if (event.type() == RoomEvents.RoomEvent.Type.CHAT) {
        here.values().stream().filter(p -> reaches(event, p)).forEach(p -> p.channel.send(
            new ServerMessage.ChatMessage(event.name(), event.text(), event.to(), event.ts())));
        return;
      }
      if (event.type() != RoomEvents.RoomEvent.Type.MOVED) {
        for (Participant p : here.values()) {
          if (p != subject) {
            deliver(p, event);
          }
        }
      }
    }
    if (subject == null || subject.gone) {
      return;
    }
    if (event.type() == RoomEvents.RoomEvent.Type.LEFT) {
      letGo(subject, false); // a janitor removed it: its wait ran out
    } else if (event.type() == RoomEvents.RoomEvent.Type.MOVED && !event.pod().equals(podId)
        && store.member(roomId, subject.name).map(m -> !m.pod().equals(podId)).orElse(true)) {
      letGo(subject, true); // (the record is read again: a resume back here may have followed the move)
    }
  }

  private void deliver(Participant p, RoomEvents.RoomEvent event) {
    if (p.name.equals(event.name()) && p.memberId.equals(event.memberId())) {
      return;
    }
    String endpoint = null;
    String screen = null;
    boolean arrived = false;
    boolean leftEarlier = false;
    synchronized (p) {
      String known = p.known.get(event.name());
      if (event.type() == RoomEvents.RoomEvent.Type.JOINED) {
        if (!event.memberId().equals(known)) {
          // A name the client knows under an earlier membership left before it rejoined; that
          // leave is announced first, whatever order the events came in.
          leftEarlier = known != null;
          endpoint = leftEarlier ? p.subscriptions.remove(event.name()) : null;
          p.known.put(event.name(), event.memberId());
          arrived = true;
        }
      } else if (event.memberId().equals(known)) {
        endpoint = p.subscriptions.remove(event.name());
        screen = p.subscriptions.remove(key(event.name(), Stream.SCREEN));
        p.pendingCandidates.remove(event.name());
        p.pendingCandidates.remove(key(event.name(), Stream.SCREEN));
        p.known.remove(event.name());
        leftEarlier = true;
      }
    }
    int released = 0;
    for (String e : new String[] {endpoint, screen}) {
      if (e != null) {
        releaseQuietly(p.kmsUrl, e);
        released++;
      }
    }
    if (released > 0) {
      int n = released;
      quietly(p.name, p.roomId, () -> load.report(p.roomId, p.nodeId, -n, 0));
      persistQuietly(p);
    }
    if (leftEarlier) {
      p.channel.send(new ServerMessage.ParticipantLeft(event.name()));
    }
    if (arrived) {
      p.channel.send(new ServerMessage.NewParticipantArrived(event.name(), event.audio(), event.video()));
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
        others.add(new ServerMessage.ParticipantState(name, m.audio(), m.video(), m.screen() != null));
        p.known.put(name, m.id());
      }
    });
    return others;
  }

  private Object roomLock(String roomId) {
    return roomLocks[Math.floorMod(roomId.hashCode(), roomLocks.length)];
  }

  /** Releases an object that may already be gone (with its pipeline, or released by another pod). */
  private void releaseQuietly(String kmsUrl, String objectId) {
    try {
      media.release(kmsUrl, objectId);
    } catch (RuntimeException e) {
      log.info("{} not released (gone already?): {}", objectId, e.toString());
    }
  }

  private void closeRoom(String roomId) {
    Optional<RoomStore.RoomRecord> room = store.room(roomId);
    if (room.isPresent() && store.deleteIfEmpty(roomId)) {
      // Presence hears it now, before the slow releases: a join that opens the room again comes after.
      presence(io.switchboard.presence.PresenceType.ROOM_CLOSED, roomId, null, room.get().nodeId(), null, null, null);
      releaseQuietly(room.get().kmsUrl(), room.get().pipelineId());
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
