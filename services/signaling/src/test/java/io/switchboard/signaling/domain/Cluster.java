package io.switchboard.signaling.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * Signaling pods on shared in-memory fakes, driven by hand: one room store, pod registry, set of
 * KMS nodes, placement, load reporter, event bus and presence feed, and as many pods as a test
 * makes ({@link #pod}). Nothing runs on its own but the bus's delivery, each pod's rebuild and
 * media clean-up threads: beats and janitor rounds are the test's ({@link Pod#beat},
 * {@link Pod#janitorRound}), and time is {@link #clock}'s.
 *
 * <p>The ports the pods see can be rigged per method ({@link #onStore}, {@link #onMedia}) to play a
 * race or a failure at an exact step, and room events can be held up ({@link #holdEvents}).
 *
 * <p>A pod's {@link Heartbeat} and {@link PodJanitor} are private to its {@link GroupCallService};
 * the fixture reaches them by reflection (a test-side accessor), so production code keeps no
 * test-only way in. {@link GroupCallService#start} is never called.
 */
final class Cluster implements AutoCloseable {

  static final String NODE_0 = "kms-0";
  static final String KMS_0 = "ws://kms-0/kurento";
  static final String NODE_1 = "kms-1";
  static final String KMS_1 = "ws://kms-1/kurento";
  static final Duration RESUME_GRACE = Duration.ofSeconds(30);
  static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(3);
  static final int EXPECTED_PARTICIPANTS = 4;
  static final RoomLimits LIMITS = new RoomLimits(8, true, true, "file:///recordings/{room}-{name}-{time}.webm");

  final MutableClock clock = new MutableClock();
  final InMemoryRoomStore store = new InMemoryRoomStore(clock);
  final InMemoryPodRegistry registry = new InMemoryPodRegistry(clock);
  /** The KMS nodes as the test sees them (no pod's listeners). */
  final FakeMediaServer kms = new FakeMediaServer();
  /** Rooms go to {@link #NODE_0} until told otherwise. */
  final FakePlacement placement = new FakePlacement(NODE_0, KMS_0).addNode(NODE_1, KMS_1);
  final RecordingLoadReporter load = new RecordingLoadReporter();
  final RoomEventBus bus = new RoomEventBus();
  final RecordingPresence presence = new RecordingPresence();

  private final Map<String, Hook> storeHooks = new ConcurrentHashMap<>();
  private final Map<String, Hook> mediaHooks = new ConcurrentHashMap<>();
  private final List<Pod> pods = new ArrayList<>();
  private final AtomicInteger holds = new AtomicInteger();
  private Duration resumeGrace = RESUME_GRACE;
  private RoomLimits limits = LIMITS;
  private CandidateFilter candidates = CandidateFilter.NONE;

  /** Pods made from now on wait this long for a resume. */
  Cluster resumeGrace(Duration grace) {
    resumeGrace = grace;
    return this;
  }

  /** Pods made from now on keep these browser candidates from KMS. */
  Cluster candidates(CandidateFilter now) {
    candidates = now;
    return this;
  }

  /** Pods made from now on have these room limits. */
  Cluster limits(RoomLimits now) {
    limits = now;
    return this;
  }

  /** A new pod (or a new run of a pod, under a name used before) on the cluster's fakes. */
  Pod pod(String podId) {
    Pod pod = new Pod(podId);
    pods.add(pod);
    return pod;
  }

  /** Waits until every room event published so far, and what its delivery published, was delivered. */
  void settle() {
    bus.settle();
  }

  /**
   * Lets {@code time} pass a heartbeat interval at a time, in which each of {@code running} beats
   * and runs a janitor round, as their threads would (the others are paused, or dead); settles
   * after each step.
   */
  void elapse(Duration time, Pod... running) {
    Duration left = time;
    while (!left.isZero() && !left.isNegative()) {
      Duration step = left.compareTo(HEARTBEAT_INTERVAL) < 0 ? left : HEARTBEAT_INTERVAL;
      clock.advance(step);
      left = left.minus(step);
      for (Pod pod : running) {
        pod.beat();
        pod.janitorRound();
      }
      settle();
    }
  }

  // ---------------------------------------------------------------- rigging the ports

  /** Answers a call of the ports the pods see; {@code proceed} makes the real call. */
  @FunctionalInterface
  interface Hook {
    Object call(Object[] args, Callable<Object> proceed) throws Exception;
  }

  /** Every call of {@code method} on the room store, by any pod, goes through {@code hook} from now on. */
  void onStore(String method, Hook hook) {
    storeHooks.put(method, hook);
  }

  /** Every call of {@code method} on the media server, by any pod, goes through {@code hook} from now on. */
  void onMedia(String method, Hook hook) {
    mediaHooks.put(method, hook);
  }

  void unrig() {
    storeHooks.clear();
    mediaHooks.clear();
  }

  @SuppressWarnings("unchecked")
  private static <T> T rigged(Class<T> port, T target, Map<String, Hook> hooks) {
    InvocationHandler handler = (proxy, method, args) -> {
      Callable<Object> proceed = () -> {
        try {
          return method.invoke(target, args);
        } catch (InvocationTargetException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw e;
        }
      };
      Hook hook = method.getDeclaringClass() == Object.class ? null : hooks.get(method.getName());
      return hook == null ? proceed.call() : hook.call(args, proceed);
    };
    return (T) Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, handler);
  }

  // ---------------------------------------------------------------- holding the bus

  /**
   * Holds up the delivery of room events (to every pod) until the returned handle is closed: what
   * is published meanwhile is queued, in order, as on a slow Redis connection.
   */
  Hold holdEvents() {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch holding = new CountDownLatch(1);
    String room = "~held-" + holds.incrementAndGet();
    InMemoryRoomEvents holder = bus.forPod();
    holder.follow(room, event -> {
      holding.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    holder.publish(room, new RoomEvents.Rebuilt("test"));
    try {
      assertThat(holding.await(5, TimeUnit.SECONDS)).as("the bus is held").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return () -> {
      release.countDown();
      holder.unfollow(room);
    };
  }

  /** What {@code action} must throw: a refusal with {@code code}. */
  static ProtocolException refusal(ErrorCode code, ThrowingCallable action) {
    Throwable thrown = catchThrowable(action);
    assertThat(thrown).as("a refusal with " + code).isInstanceOf(ProtocolException.class);
    ProtocolException refusal = (ProtocolException) thrown;
    assertThat(refusal.code()).as(refusal.getMessage()).isEqualTo(code);
    return refusal;
  }

  /** Room events held up until closed. */
  interface Hold extends AutoCloseable {
    @Override
    void close();
  }

  // ---------------------------------------------------------------- the end

  /** Settles, checks that no event delivery failed, and stops every pod and the bus. */
  @Override
  public void close() {
    try {
      settle();
      assertThat(bus.failures()).as("room event deliveries that failed").isEmpty();
    } finally {
      pods.forEach(p -> p.service.close());
      bus.close();
    }
  }

  // ---------------------------------------------------------------- pods

  /** One pod: its {@link GroupCallService} and what it has of its own. */
  final class Pod {

    final String id;
    /** This pod's view of the nodes: the listeners are its own. */
    final FakeMediaServer media;
    final PodEvents events;
    final CountingObserver observer = new CountingObserver();
    final GroupCallService service;
    private final Heartbeat heartbeat;
    private final PodJanitor janitor;

    private Pod(String id) {
      this.id = id;
      this.media = kms.anotherPod();
      this.events = new PodEvents(bus.forPod());
      this.service = new GroupCallService(rigged(RoomStore.class, store, storeHooks), registry,
          rigged(MediaServer.class, media, mediaHooks), placement, placement, load, events, presence, observer, clock,
          clock::advance, new GroupCallService.Settings(id, EXPECTED_PARTICIPANTS, resumeGrace, HEARTBEAT_INTERVAL,
              HEARTBEAT_TIMEOUT, limits, candidates, 0, RoomSweeper.INTERVAL));
      this.heartbeat = piece("heartbeat", Heartbeat.class);
      this.janitor = piece("janitor", PodJanitor.class);
    }

    private <T> T piece(String field, Class<T> type) {
      try {
        Field f = GroupCallService.class.getDeclaredField(field);
        f.setAccessible(true);
        return type.cast(f.get(service));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("GroupCallService has no " + field + " field any more", e);
      }
    }

    /** One heartbeat, as the heartbeat thread would beat it. */
    void beat() {
      heartbeat.beat();
    }

    /** One janitor round, as the janitor thread would run it. */
    void janitorRound() {
      janitor.round();
    }

    /**
     * The pod dies: it hears and publishes no room events from now on and beats no more (its
     * beat lapses after {@link #HEARTBEAT_TIMEOUT}); its participants' records stay as they are.
     */
    void crash() {
      events.crashed = true;
    }

    /** A browser joins a room here; fails the test unless it joined. */
    Client join(String room, String name) {
      return join(room, name, new RecordingChannel());
    }

    Client join(String room, String name, RecordingChannel channel) {
      Client client = new Client(this, room, name, channel);
      client.send(new ClientMessage.JoinRoom(name, room, "join-" + name));
      assertThat(client.participant).as(name + " joined").isNotNull();
      client.token = channel.last(ServerMessage.Session.class).token();
      return client;
    }

    int localParticipants() {
      return service.localParticipants();
    }

    @Override
    public String toString() {
      return id;
    }
  }

  /** A pod's room events on the bus; a crashed pod hears and publishes nothing. */
  static final class PodEvents implements RoomEvents {
    private final InMemoryRoomEvents bus;
    volatile boolean crashed;

    PodEvents(InMemoryRoomEvents bus) {
      this.bus = bus;
    }

    @Override
    public void follow(String roomId, Consumer<RoomEvent> listener) {
      bus.follow(roomId, event -> {
        if (!crashed) {
          listener.accept(event);
        }
      });
    }

    @Override
    public void unfollow(String roomId) {
      bus.unfollow(roomId);
    }

    @Override
    public void publish(String roomId, RoomEvent event) {
      if (!crashed) {
        bus.publish(roomId, event);
      }
    }

    boolean follows(String roomId) {
      return bus.follows(roomId);
    }
  }

  // ---------------------------------------------------------------- browsers

  /**
   * A browser's socket on a pod: the participant it is (as {@link GroupCallService#handle} last
   * said), what it was sent, and its resume token.
   */
  static final class Client {
    final Pod pod;
    final String room;
    final String name;
    final RecordingChannel channel;
    Participant participant;
    String token;

    Client(Pod pod, String room, String name, RecordingChannel channel) {
      this.pod = pod;
      this.room = room;
      this.name = name;
      this.channel = channel;
    }

    /** Sends a message on this socket, as the socket handler does. */
    Participant send(ClientMessage message) {
      participant = pod.service.handle(participant, channel, message);
      return participant;
    }

    /** A message the pod must refuse with {@code code}; returns the refusal. */
    ProtocolException refused(ClientMessage message, ErrorCode code) {
      return refusal(code, () -> send(message));
    }

    /** Publishes the camera with {@code offer}. */
    void publish(String offer) {
      send(new ClientMessage.ReceiveVideoFrom(name, offer, Stream.WEBCAM, null));
    }

    /** Receives {@code sender}'s camera. */
    void subscribe(String sender, String offer) {
      send(new ClientMessage.ReceiveVideoFrom(sender, offer, Stream.WEBCAM, null));
    }

    void candidate(String endpointOf, Stream stream, IceCandidate candidate) {
      send(new ClientMessage.OnIceCandidate(endpointOf, candidate, stream, null));
    }

    void leave() {
      send(new ClientMessage.LeaveRoom(null));
    }

    /** The socket closed (the browser went away, or its network did). */
    void disconnect() {
      pod.service.disconnected(participant, channel);
    }

    /** A new socket on {@code on} resumes this client's session; fails the test unless it resumed. */
    Client resumeOn(Pod on) {
      Client resumed = new Client(on, room, name, new RecordingChannel(channel.access()));
      resumed.token = token;
      resumed.send(new ClientMessage.Resume(token, "resume-" + name));
      assertThat(resumed.participant).as(name + " resumed on " + on).isNotNull();
      // Every resume hands out a new token; the one resumed with is spent.
      resumed.token = resumed.channel.last(ServerMessage.Session.class).token();
      return resumed;
    }

    /** What the record of this participant says now. */
    RoomStore.MemberRecord record(Cluster cluster) {
      return cluster.store.member(RoomIds.of(room), name).orElseThrow(() ->
          new AssertionError(name + " is not a member of " + room));
    }

    /** The names this client was told arrived (newParticipantArrived), in order. */
    List<String> arrivals() {
      return channel.sent(ServerMessage.NewParticipantArrived.class).stream()
          .map(ServerMessage.NewParticipantArrived::name).toList();
    }

    /** The names this client was told left (participantLeft), in order. */
    List<String> departures() {
      return channel.sent(ServerMessage.ParticipantLeft.class).stream().map(ServerMessage.ParticipantLeft::name)
          .toList();
    }

    @Override
    public String toString() {
      return name + "@" + pod;
    }
  }
}
