package io.switchboard.signaling.events.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.switchboard.signaling.domain.RoomEvents;
import io.switchboard.signaling.redis.SignalingKeys;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Room events over Redis pub/sub, one channel per room ({@link SignalingKeys#roomEvents}; every pod
 * serving a participant of the room subscribes, any of them publishes). Subscribing waits for
 * Redis's confirmation, so a pod hears every event published after it followed the room. Each
 * room's events are handed to its listener one after another, in the order Redis delivered them;
 * different rooms' side by side ({@link RoomLanes}), so one room's slow delivery or chat flood
 * holds up no other. A room's chat waits at most {@link #CHAT_BACKLOG} messages deep; more are
 * dropped (counted in {@code switchboard.signaling.room.events.dropped}).
 *
 * <p>A pod's own events do not wait for Redis to bring them back: once Redis has taken one, it is
 * queued for this pod's listener of the room at once, behind the room's earlier events, and its
 * echo on the subscription is recognised by the {@code origin} it carries (this instance's random
 * id) and ignored. So this pod's participants hear of what happened on this pod one Redis hop
 * sooner, and the pod decodes none of its own events. Events of one publisher reach every pod in
 * the order it published them; events that two pods publish at the same moment may be heard in a
 * different order on each of them (each hears its own first).
 */
public final class RedisRoomEvents implements RoomEvents, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisRoomEvents.class);

  private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder()
      .build();

  private final StringRedisTemplate redis;
  private final RedisClient client;
  private final Duration timeout;
  /** Null until first used ({@link #subscriptions()}). */
  private StatefulRedisPubSubConnection<String, String> subscriptions;
  private final Map<String, Consumer<RoomEvent>> listeners = new ConcurrentHashMap<>();
  /** Chat messages a room's delivery lets wait before it drops more. */
  static final int CHAT_BACKLOG = 1_000;
  /** Rooms delivered at once. */
  static final int DELIVERY_THREADS = 4;

  private final RoomLanes delivery = new RoomLanes(DELIVERY_THREADS, CHAT_BACKLOG);
  private final io.micrometer.core.instrument.Counter droppedChat;
  /** This instance's events carry it; their echoes are ignored. */
  final String origin = java.util.UUID.randomUUID().toString();

  public RedisRoomEvents(StringRedisTemplate redis, RedisClient client, Duration timeout,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.redis = redis;
    this.droppedChat = io.micrometer.core.instrument.Counter.builder("switchboard.signaling.room.events.dropped")
        .tag("type", "chat").description("Room events dropped because the room's delivery was that far behind")
        .register(registry);
    this.client = client;
    this.timeout = timeout;
  }

  /**
   * The subscriber connection, opened on first use: a pod starts (unready) while Redis is away and
   * connects once it is back; Lettuce then reconnects and resubscribes by itself.
   */
  synchronized StatefulRedisPubSubConnection<String, String> subscriptions() {
    if (subscriptions != null) {
      return subscriptions;
    }
    StatefulRedisPubSubConnection<String, String> connection;
    try {
      connection = client.connectPubSub();
    } catch (io.lettuce.core.RedisConnectionException e) {
      throw new org.springframework.dao.DataAccessResourceFailureException("Redis is unreachable: " + e.getMessage(), e);
    }
    connection.setTimeout(timeout);
    connection.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        Consumer<RoomEvent> listener = listeners.get(channel);
        if (listener == null) {
          return;
        }
        Wire wire;
        RoomEvent event;
        try {
          wire = read(message);
          event = fromWire(wire);
        } catch (RuntimeException e) {
          log.warn("room event {} on {} is not one: {}", message, channel, e.toString());
          return;
        }
        if (!origin.equals(wire.origin())) {
          deliver(channel, listener, event);
        } // else: this instance's own, delivered when it was published
      }
    });
    subscriptions = connection;
    return connection;
  }

  /**
   * Goes through the events' wire form, opens the subscriber connection and follows and unfollows a
   * channel of its own a few times (no room's: nobody publishes there), so that a pod's first joins
   * find them ready.
   */
  @Override
  public void prepare() {
    String rehearsal = SignalingKeys.roomEvents("~rehearsal-" + origin);
    for (int i = 0; i < 100; i++) {
      decode(encode(new Joined("rehearsal", "m-" + i, "pod", true, i % 2 == 0), origin)); // the wire form's codec
    }
    try {
      for (int i = 0; i < 10; i++) {
        subscriptions().sync().subscribe(rehearsal);
        subscriptions().sync().unsubscribe(rehearsal);
      }
    } catch (RuntimeException e) {
      log.info("room events' subscriber connection not opened ahead (opened on first use): {}", e.toString());
    }
  }

  static String channel(String roomId) {
    return SignalingKeys.roomEvents(roomId);
  }

  @Override
  public void follow(String roomId, Consumer<RoomEvent> listener) {
    String channel = channel(roomId);
    listeners.put(channel, listener);
    subscriptions().sync().subscribe(channel);
  }

  @Override
  public void unfollow(String roomId) {
    String channel = channel(roomId);
    listeners.remove(channel);
    subscriptions().sync().unsubscribe(channel);
  }

  /**
   * Publishes to every pod following the room; once Redis has taken it, queues it for this pod's
   * own listener of the room, if it follows it (not when publishing failed: then no pod hears of it).
   */
  @Override
  public void publish(String roomId, RoomEvent event) {
    String channel = channel(roomId);
    redis.convertAndSend(channel, encode(event, origin));
    Consumer<RoomEvent> listener = listeners.get(channel);
    if (listener != null) {
      deliver(channel, listener, event);
    }
  }

  private void deliver(String channel, Consumer<RoomEvent> listener, RoomEvent event) {
    if (!delivery.submit(channel, () -> listener.accept(event), event instanceof ChatSent)) {
      droppedChat.increment();
    }
  }

  /**
   * An event as it travels: one flat JSON object whose {@code type} says which event it is (the
   * fields an event does not have are empty). Pods of different versions read each other's
   * events during a rolling update, so this shape changes only by adding fields. {@code origin}
   * (added 2026-12-06) is the publishing instance's random id; events without it come from pods
   * that predate it.
   */
  record Wire(String type, String name, String memberId, String pod, boolean audio, boolean video, String text,
      String to, long ts, boolean published, String origin) {

    Wire(String type, String name, String memberId, String pod, boolean audio, boolean video, String text,
        String to, long ts, boolean published) {
      this(type, name, memberId, pod, audio, video, text, to, ts, published, null);
    }

    Wire from(String publisher) {
      return new Wire(type, name, memberId, pod, audio, video, text, to, ts, published, publisher);
    }
  }

  /** The event as {@code origin} publishes it. */
  static String encode(RoomEvent e, String origin) {
    return JSON.writeValueAsString(toWire(e).from(origin));
  }

  static Wire read(String message) {
    return JSON.readValue(message, Wire.class);
  }

  static RoomEvent decode(String message) {
    return fromWire(read(message));
  }

  static Wire toWire(RoomEvent e) {
    if (e instanceof Joined j) {
      return new Wire("JOINED", j.name(), j.memberId(), j.pod(), j.audio(), j.video(), null, null, 0, false);
    } else if (e instanceof Left l) {
      return new Wire("LEFT", l.name(), l.memberId(), l.pod(), false, false, null, null, 0, false);
    } else if (e instanceof Moved m) {
      return new Wire("MOVED", m.name(), m.memberId(), m.pod(), false, false, null, null, 0, false);
    } else if (e instanceof Rebuilt r) {
      return new Wire("REBUILT", "", "", r.pod(), false, false, null, null, 0, false);
    } else if (e instanceof MediaChanged m) {
      return new Wire("MEDIA", m.name(), m.memberId(), m.pod(), m.audio(), m.video(), null, null, 0, false);
    } else if (e instanceof ChatSent c) {
      return new Wire("CHAT", c.name(), c.memberId(), c.pod(), false, false, c.text(), c.to(), c.ts(), false);
    } else if (e instanceof ScreenShared s) {
      return new Wire("SCREEN", s.name(), s.memberId(), s.pod(), false, false, null, null, 0, s.shared());
    } else if (e instanceof PresenterChanged p) {
      return new Wire("PRESENTER", p.name(), p.memberId(), p.pod(), false, false, null, null, 0, p.presenting());
    } else if (e instanceof RecordingChanged r) {
      return new Wire("RECORDING", r.name(), r.memberId(), r.pod(), false, false, r.recordingId(), null, 0,
          r.recording());
    }
    throw new IllegalArgumentException("no wire form for " + e); // the family is sealed: every event has one
  }

  static RoomEvent fromWire(Wire w) {
    String type = w.type() == null ? "" : w.type();
    return switch (type) {
      case "JOINED" -> new Joined(w.name(), w.memberId(), w.pod(), w.audio(), w.video());
      case "LEFT" -> new Left(w.name(), w.memberId(), w.pod());
      case "MOVED" -> new Moved(w.name(), w.memberId(), w.pod());
      case "REBUILT" -> new Rebuilt(w.pod());
      case "MEDIA" -> new MediaChanged(w.name(), w.memberId(), w.pod(), w.audio(), w.video());
      case "CHAT" -> new ChatSent(w.name(), w.memberId(), w.pod(), w.text(), w.to(), w.ts());
      case "SCREEN" -> new ScreenShared(w.name(), w.memberId(), w.pod(), w.published());
      case "PRESENTER" -> new PresenterChanged(w.name(), w.memberId(), w.pod(), w.published());
      case "RECORDING" -> new RecordingChanged(w.name(), w.memberId(), w.pod(), w.published(), w.text());
      default -> throw new IllegalArgumentException("unknown room event type '" + w.type() + "'");
    };
  }

  @Override
  public void close() {
    delivery.close();
    synchronized (this) {
      if (subscriptions != null) {
        subscriptions.close();
      }
    }
  }
}
