package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ProtocolException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import org.slf4j.MDC;

/**
 * The group call as one pod serves it: client messages dispatched to the piece that handles each,
 * sockets that close, lost KMS nodes, and the pod's background work started and stopped.
 *
 * <p>Room state lives in the {@link RoomStore}: a member's record names its pod and holds its
 * endpoint ids, so any pod can take a participant over (a {@code resume}) by listening to those
 * endpoints itself. This pod holds only its own participants' sockets and listeners
 * ({@link LocalRooms}); a room's participants may be spread over several pods, and joins, leaves
 * and moves travel between them as {@link RoomEvents}. Which lock guards what, and which thread
 * runs what: {@link RoomLocks}.
 *
 * <p>The pieces: {@link Joins}, {@link Departures}, {@link Resumption}, {@link Negotiation},
 * {@link ScreenSharing}, {@link Broadcast}, {@link Recording}, {@link RoomMessages},
 * {@link RoomEventDelivery}, {@link Parking}, {@link Heartbeat}, {@link PodJanitor},
 * {@link RoomRebuild}, and what they share: {@link RoomOpener}, {@link MemberRecords},
 * {@link MediaCleanup}, {@link PresenceNotes}, {@link Grants}.
 */
public final class GroupCallService implements AutoCloseable {

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
  /** @param candidates which browser ICE candidates may reach KMS */
  /** @param maxOpenRoomsPerClient rooms one identity or client address may have open at once (0: no cap) */
  public record Settings(String podId, int expectedParticipants, Duration resumeGrace, Duration heartbeatInterval,
      Duration heartbeatTimeout, RoomLimits limits, CandidateFilter candidates, int maxOpenRoomsPerClient,
      Duration sweepInterval) {

    /** Every candidate of a legal shape passes, and nobody's rooms are counted (tests of other things). */
    public Settings(String podId, int expectedParticipants, Duration resumeGrace, Duration heartbeatInterval,
        Duration heartbeatTimeout, RoomLimits limits) {
      this(podId, expectedParticipants, resumeGrace, heartbeatInterval, heartbeatTimeout, limits, CandidateFilter.NONE,
          0, RoomSweeper.INTERVAL);
    }
  }

  private final Settings settings;
  private final CallObserver observer;
  private final LocalRooms local;
  private final MediaCleanup cleanup;
  private final Grants grants;
  private final Joins joins;
  private final Departures departures;
  private final Resumption resumption;
  private final Negotiation negotiation;
  private final ScreenSharing screens;
  private final Broadcast broadcast;
  private final Recording recording;
  private final RoomMessages messages;
  private final Parking parking;
  private final Heartbeat heartbeat;
  private final PodJanitor janitor;
  private final RoomRebuild rebuild;
  private final RoomEvents events;
  private final RoomStore store;
  private final RoomPlacementClient placement;
  /**
   * Redis writes a join or an offer makes while it waits for KMS ({@code signaling-alongside-N},
   * at most 64 at once; beyond that, or once the service is closing, the caller makes them itself,
   * one after another).
   */
  private final ThreadPoolExecutor alongside = HandOffThreads.create("signaling-alongside-", 64);

  public GroupCallService(RoomStore store, PodRegistry pods, MediaServer media, RoomPlacementClient placement,
      PlacedRooms placed, LoadReporter load, RoomEvents events, PresenceFeed presenceFeed, CallObserver observer,
      Clock clock, Settings settings) {
    this(store, pods, media, placement, placed, load, events, presenceFeed, observer, clock, RoomOpener.Pause.SLEEP,
        settings);
  }

  /** With {@code pause}: how a join waits for a room another pod is opening (tests move their clock). */
  GroupCallService(RoomStore store, PodRegistry pods, MediaServer media, RoomPlacementClient placement,
      PlacedRooms placed, LoadReporter load, RoomEvents events, PresenceFeed presenceFeed, CallObserver observer,
      Clock clock, RoomOpener.Pause pause, Settings settings) {
    this.settings = settings;
    this.observer = observer;
    this.events = events;
    this.store = store;
    this.placement = placement;
    String pod = settings.podId();
    RoomLocks locks = new RoomLocks();
    RoomEventDelivery[] delivery = new RoomEventDelivery[1]; // made last: it reaches most pieces
    local = new LocalRooms(events, (roomId, event) -> delivery[0].onRoomEvent(roomId, event));
    LocalRooms.CatchUp catchUp = (newcomer, held, afterwards) -> delivery[0].catchUp(newcomer, held, afterwards);
    cleanup = new MediaCleanup(media);
    grants = new Grants(settings.limits());
    PresenceNotes presence = new PresenceNotes(presenceFeed, clock, pod);
    MemberRecords records = new MemberRecords(store, pod);
    RoomOpener rooms = new RoomOpener(store, placement, media, cleanup, presence, clock, pause, pod,
        settings.expectedParticipants(), settings.maxOpenRoomsPerClient());
    departures = new Departures(store, pods, media, cleanup, load, events, presence, rooms, local, locks, pod);
    parking = new Parking(store, pods, records, presence, departures, local, locks, clock, settings.resumeGrace(), pod);
    rebuild = new RoomRebuild(store, placement, media, cleanup, load, events, records, observer, pod,
        settings.expectedParticipants());
    joins = new Joins(store, pods, media, cleanup, load, events, presence, rooms, records, departures, local, locks,
        clock, pause, pod, settings.limits().maxParticipants(), catchUp, alongside);
    resumption = new Resumption(store, pods, media, cleanup, load, events, presence, records, parking, departures,
        rebuild, observer, local, locks, pod, catchUp);
    negotiation = new Negotiation(store, media, cleanup, load, records, rooms, grants, alongside);
    screens = new ScreenSharing(media, cleanup, load, events, records, rooms, negotiation, grants, pod);
    broadcast = new Broadcast(store, media, cleanup, load, events, records, rooms, negotiation, grants, pod);
    recording = new Recording(media, cleanup, load, events, records, rooms, settings.limits(), clock, pod);
    messages = new RoomMessages(store, events, records, presence, clock, pod);
    heartbeat = new Heartbeat(pods, parking, local, observer, pod, settings.heartbeatInterval(),
        settings.heartbeatTimeout(), settings.resumeGrace());
    janitor = new PodJanitor(store, pods, parking, departures, rooms, cleanup, load, events, presence, observer, local,
        clock, pod, settings.resumeGrace(), new RoomSweeper(store, placed, pods, rooms, placement, observer, presence, clock, pod,
            settings.sweepInterval()));
    delivery[0] = new RoomEventDelivery(store, cleanup, load, records, departures, screens, broadcast, rebuild, local,
        locks, pod);
  }

  /**
   * Goes through the join's ways to Redis and placement and opens what following rooms needs
   * (best effort), then starts beating and the janitor.
   */
  public void start() {
    SessionTokens.newToken(); // seeds its generator: the first join's draw would, with the others waiting
    Ids.fresh();
    store.prepare();
    placement.prepare();
    events.prepare();
    heartbeat.start();
    janitor.start(settings.heartbeatInterval());
  }

  public String podId() {
    return settings.podId();
  }

  /**
   * Handles one decoded message of a socket. Returns the participant the socket now is (null when
   * it is not in a room). A refusal is a {@link ProtocolException}, thrown before anything changed.
   */
  public Participant handle(Participant self, ClientChannel channel, ClientMessage message) {
    return handle(self, channel, message, Runnable::run);
  }

  /**
   * The same, a negotiation's exchange with KMS and Redis given to {@code negotiations} once the
   * message is checked and its stream reserved (a socket's negotiations may run side by side; the
   * executor reports a refusal it throws as this method's caller would).
   */
  public Participant handle(Participant self, ClientChannel channel, ClientMessage message, Executor negotiations) {
    if (self != null && (self.channel != channel || self.gone)) {
      self = null; // resumed on another socket or pod meanwhile, or removed: this socket no longer speaks for it
    }
    if (message instanceof ClientMessage.Resume resume) {
      requireNotInRoom(self, resume.requestId());
      return resumption.resume(resume, channel);
    }
    if (message instanceof ClientMessage.JoinRoom join) {
      requireNotInRoom(self, join.requestId());
      return joins.join(join, channel);
    }
    if (self == null) {
      throw new ProtocolException(ErrorCode.NOT_JOINED, "join a room first", message.requestId());
    }
    grants.require(self, channel, message);
    if (message instanceof ClientMessage.ReceiveVideoFrom receive) {
      negotiations.execute(negotiation.receiveVideoFrom(self, receive));
    } else if (message instanceof ClientMessage.OnIceCandidate candidate) {
      String refused = settings.candidates().refuses(candidate.candidate().candidate());
      if (refused == null) {
        negotiation.onIceCandidate(self, candidate);
      } else {
        // Not an error the browser could act on (it offers what it has): dropped, counted.
        observer.candidateDropped(refused);
      }
    } else if (message instanceof ClientMessage.LeaveRoom) {
      departures.leave(self);
      return null;
    } else if (message instanceof ClientMessage.MediaState state) {
      messages.mediaState(self, state);
    } else if (message instanceof ClientMessage.Chat chat) {
      messages.chat(self, chat);
    } else if (message instanceof ClientMessage.PublishScreen share) {
      screens.publish(self, share);
    } else if (message instanceof ClientMessage.UnpublishScreen stop) {
      screens.unpublish(self, stop);
    } else if (message instanceof ClientMessage.Presenter present) {
      broadcast.presenter(self, present);
    } else if (message instanceof ClientMessage.Viewer view) {
      broadcast.viewer(self, view);
    } else if (message instanceof ClientMessage.Stop stop) {
      broadcast.stop(self, stop);
    } else if (message instanceof ClientMessage.StartRecording start) {
      recording.start(self, start);
    } else if (message instanceof ClientMessage.StopRecording stop) {
      recording.stop(self, stop);
    } else {
      throw new IllegalStateException("no handler for " + message.getClass().getSimpleName()); // every message has one
    }
    return self;
  }

  private static void requireNotInRoom(Participant self, String requestId) {
    if (self != null) {
      throw new ProtocolException(ErrorCode.ALREADY_JOINED, "already in room " + self.roomName, requestId);
    }
  }

  /** Rooms with at least one participant on this pod. */
  public int localRooms() {
    return local.roomCount();
  }

  /** Participants this pod serves. */
  public int localParticipants() {
    return local.participantCount();
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
    try (var room = MDC.putCloseable("room", self.roomId);
        var participant = MDC.putCloseable("participant", self.name)) {
      parking.disconnected(self, channel);
    }
  }

  /**
   * Placement announced that a KMS node is gone (DOWN, or drained past its deadline) and removed
   * the placements of its rooms: each is rebuilt on a new node and its participants renegotiate.
   */
  public void nodeLost(NodeLosses.NodeLoss loss) {
    rebuild.nodeLost(loss.nodeId(), loss.down(), loss.rooms(), loss.reason());
  }

  /**
   * The pod is stopping. Its participants are not removed: their records stay, so they resume on
   * another pod, and the janitors of the pods that remain clean up after those who do not. The
   * heartbeat is withdrawn so they need not wait for it to lapse.
   */
  @Override
  public void close() {
    alongside.shutdown();
    janitor.close();
    rebuild.close();
    cleanup.close();
    heartbeat.close();
  }

  /**
   * Closes an instance that was never started (the join rehearsal's, {@link RehearsalCalls}): waits
   * up to {@code wait} for the KMS releases its departures queued; withdraws no heartbeat (it never
   * beat: the pod's own service does).
   */
  public void closeUnstarted(Duration wait) {
    alongside.shutdown();
    janitor.close();
    rebuild.close();
    cleanup.closeWhenDone(wait);
  }
}
