package io.switchboard.state.api;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.state.view.PresenceViewKeys;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events of the view's changes ({@link PresenceViewKeys#changes()}, a Redis stream the view
 * appends to as it applies each event). One reader follows the stream and hands each change to
 * every subscriber's own bounded queue; a small pool of senders writes each queue to its client,
 * so one slow client holds up nobody else. A subscriber whose queue is full (it fell behind by
 * {@code queue} changes) is sent a {@code reset} event and dropped: it reads the view again and
 * subscribes anew. A subscriber that comes back with {@code Last-Event-ID} first gets what it
 * missed, read page by page on a sender (never under the reader's lock), then the live changes,
 * each once, in order. Subscribers are capped in all and per client address ({@link SubscriberLimits}).
 * Event ids are the stream's ids.
 */
public final class ChangeStream implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChangeStream.class);
  private static final Duration BLOCK = Duration.ofSeconds(1);
  private static final java.util.regex.Pattern EVENT_ID = java.util.regex.Pattern.compile("\\d{1,19}-\\d{1,19}");
  private static final int REPLAY_PAGE = 1_000;

  /** How many subscribers, their queues, and how many threads write to them. */
  public record Settings(Duration timeout, int maxSubscribers, int maxSubscribersPerAddress, int queue, int senders) {}

  /** Refused: too many subscribers in all, or from this address. */
  public static final class Refused extends RuntimeException {
    final String code;

    Refused(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /**
   * A subscriber: sent changes with ids after {@code after} only (null: all), of {@code room} only
   * (null: all). Changes wait in {@link #queue} for a sender; {@link #scheduled} is set while a
   * sender is (about to be) at work on it, so that one sender at a time writes to its client.
   */
  private final class Subscriber {
    final SseEmitter emitter;
    final String room;
    final String after;
    final String address;
    final java.util.concurrent.BlockingQueue<StreamMessage<String, String>> queue;
    final java.util.concurrent.atomic.AtomicBoolean scheduled = new java.util.concurrent.atomic.AtomicBoolean();
    final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * Until its subscription comment and replay are sent, queued live changes wait (they all come
     * after the replay); the first sender clears it.
     */
    volatile boolean replaying = true;
    /** Set when it fell behind: told {@code reset} and ended by its sender. */
    volatile boolean overflowed;
    /** The last id sent (replay or live), so nothing goes twice. */
    String lastSent;

    Subscriber(SseEmitter emitter, String room, String after, String address) {
      this.emitter = emitter;
      this.room = room;
      this.after = after;
      this.address = address;
      this.queue = new java.util.concurrent.ArrayBlockingQueue<>(settings.queue());
      this.lastSent = after;
    }

    boolean wants(StreamMessage<String, String> m) {
      return (after == null || newer(m.getId(), after)) && (room == null || room.equals(m.getBody().get("roomId")));
    }
  }

  private final RedisClient client;
  private final Settings settings;
  private final SubscriberLimits limits;
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  /** The id of the last change handed to live subscribers (under {@link #lock}). */
  private String delivered;
  private volatile boolean running = true;
  private final Thread reader;
  private final java.util.concurrent.ExecutorService senders;
  private StatefulRedisConnection<String, String> replays;
  private final io.micrometer.core.instrument.Counter dropped;

  /** How emitters are made (tests: ones that stand for slow clients). */
  private final java.util.function.LongFunction<SseEmitter> emitters;

  public ChangeStream(RedisClient client, Settings settings, MeterRegistry registry) {
    this(client, settings, registry, SseEmitter::new);
  }

  ChangeStream(RedisClient client, Settings settings, MeterRegistry registry,
      java.util.function.LongFunction<SseEmitter> emitters) {
    this.emitters = emitters;
    this.client = client;
    this.settings = settings;
    this.limits = new SubscriberLimits(settings.maxSubscribers(), settings.maxSubscribersPerAddress(), registry);
    Gauge.builder("switchboard.state.sse.subscribers", subscribers, List::size)
        .description("Open /v1/stream connections").register(registry);
    this.dropped = io.micrometer.core.instrument.Counter.builder("switchboard.state.sse.dropped")
        .description("Stream subscribers dropped (sent reset) because they fell behind").register(registry);
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    this.senders = java.util.concurrent.Executors.newFixedThreadPool(settings.senders(), r -> {
      Thread t = new Thread(r, "change-stream-sender-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.reader = new Thread(this::follow, "change-stream");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * A new subscriber, for one room or all ({@code room} null), resuming after {@code lastEventId}
   * if given, counted against {@code address}.
   *
   * @throws Refused when there are too many subscribers, in all or from {@code address}
   */
  public SseEmitter subscribe(String room, String lastEventId, String address) {
    String refused = limits.acquire(address);
    if (refused != null) {
      throw new Refused(refused.equals(SubscriberLimits.TOTAL) ? "too-many-subscribers" : "too-many-subscribers-here",
          refused.equals(SubscriberLimits.TOTAL)
              ? "this state replica serves " + settings.maxSubscribers() + " streams already; retry shortly"
              : "this address has " + settings.maxSubscribersPerAddress() + " streams open already");
    }
    SseEmitter emitter = emitters.apply(settings.timeout().toMillis());
    Subscriber s = new Subscriber(emitter, room, lastEventId, address);
    emitter.onCompletion(() -> end(s));
    emitter.onTimeout(() -> end(s));
    emitter.onError(e -> end(s));
    String upTo;
    synchronized (lock) {
      if (delivered == null) {
        delivered = latest(replays());
      }
      upTo = delivered;
      // From now on live changes queue up for it; what it missed up to upTo is replayed first.
      subscribers.add(s);
    }
    boolean replay = lastEventId != null && newer(upTo, lastEventId);
    try {
      senders.execute(() -> start(s, upTo, replay));
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      end(s);
      throw new Refused("stopping", "this state replica is stopping; retry");
    }
    return emitter;
  }

  /** On a sender: the subscription comment, the replay (paged), then whatever queued meanwhile. */
  private void start(Subscriber s, String upTo, boolean replay) {
    try {
      s.emitter.send(SseEmitter.event().comment("subscribed"));
      if (replay) {
        String from = s.after;
        while (!s.ended.get() && newer(upTo, from)) {
          List<StreamMessage<String, String>> page = replays().sync().xrange(PresenceViewKeys.changes(),
              Range.create(from, upTo), Limit.from(REPLAY_PAGE));
          boolean progressed = false;
          for (StreamMessage<String, String> m : page) {
            if (newer(m.getId(), from)) {
              if (s.wants(m)) {
                write(s, m);
              }
              from = m.getId();
              progressed = true;
            }
          }
          if (!progressed) {
            break;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      fail(s, e);
      return;
    } finally {
      s.replaying = false;
    }
    schedule(s);
  }

  private synchronized StatefulRedisConnection<String, String> replays() {
    if (replays == null) {
      replays = client.connect();
    }
    return replays;
  }

  private void follow() {
    StatefulRedisConnection<String, String> connection = null;
    while (running) {
      try {
        if (connection == null) {
          connection = client.connect();
          connection.setTimeout(BLOCK.plusSeconds(5));
        }
        synchronized (lock) {
          if (delivered == null) {
            delivered = latest(connection);
          }
        }
        List<StreamMessage<String, String>> read = connection.sync().xread(
            // A batch is at most half a queue: one burst read at once never overflows a client that keeps up.
            XReadArgs.Builder.block(BLOCK).count(Math.max(1, Math.min(500, settings.queue() / 2))),
            XReadArgs.StreamOffset.from(PresenceViewKeys.changes(), delivered));
        synchronized (lock) {
          for (StreamMessage<String, String> m : read) {
            for (Subscriber s : subscribers) {
              if (!s.overflowed && s.wants(m) && !s.queue.offer(m)) {
                s.overflowed = true; // its sender tells it reset and ends it
              }
            }
            delivered = m.getId();
          }
        }
        if (!read.isEmpty()) {
          subscribers.forEach(this::schedule);
        }
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        log.warn("following the view's changes failed (retrying): {}", e.toString());
        if (connection != null) {
          connection.closeAsync();
          connection = null;
        }
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException interrupted) {
          break;
        }
      }
    }
    if (connection != null) {
      connection.closeAsync();
    }
  }

  /** Puts a sender to work on {@code s} unless one is, or its replay is still going. */
  private void schedule(Subscriber s) {
    if (s.replaying || s.ended.get() || (s.queue.isEmpty() && !s.overflowed)) {
      return;
    }
    if (s.scheduled.compareAndSet(false, true)) {
      try {
        senders.execute(() -> drain(s));
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        s.scheduled.set(false);
      }
    }
  }

  /** On a sender: writes what waits for {@code s}; a subscriber that fell behind is told reset and ended. */
  private void drain(Subscriber s) {
    try {
      if (s.overflowed) {
        dropped.increment();
        log.info("a /v1/stream subscriber from {} fell {} changes behind: reset", s.address, settings.queue());
        s.queue.clear();
        try {
          s.emitter.send(SseEmitter.event().name("reset").data(Map.of("reason",
              "this subscriber fell more than " + settings.queue() + " changes behind: read the view again"
                  + " (GET /v1/rooms) and subscribe anew"), MediaType.APPLICATION_JSON));
        } finally {
          end(s);
          s.emitter.complete();
        }
        return;
      }
      StreamMessage<String, String> m;
      while (!s.ended.get() && (m = s.queue.poll()) != null) {
        write(s, m);
      }
    } catch (IOException | RuntimeException e) {
      fail(s, e);
      return;
    } finally {
      s.scheduled.set(false);
    }
    schedule(s); // what arrived while it finished
  }

  private void write(Subscriber s, StreamMessage<String, String> m) throws IOException {
    if (s.lastSent != null && !newer(m.getId(), s.lastSent)) {
      return; // had it already (in the replay, or it came back to another replica that was behind)
    }
    s.emitter.send(SseEmitter.event().id(m.getId()).name("change").data(typed(m.getBody()), MediaType.APPLICATION_JSON));
    s.lastSent = m.getId();
  }

  private void fail(Subscriber s, Exception e) {
    log.debug("a /v1/stream subscriber went away: {}", e.toString());
    end(s);
    try {
      s.emitter.completeWithError(e);
    } catch (RuntimeException ignored) {
      // gone already
    }
  }

  /** Forgets the subscriber and gives its place back (once). */
  private void end(Subscriber s) {
    if (s.ended.compareAndSet(false, true)) {
      subscribers.remove(s);
      limits.release(s.address);
    }
  }

  private static String latest(StatefulRedisConnection<String, String> connection) {
    List<StreamMessage<String, String>> latest = connection.sync().xrevrange(PresenceViewKeys.changes(),
        Range.create("-", "+"), Limit.from(1));
    return latest.isEmpty() ? "0-0" : latest.get(0).getId();
  }

  /**
   * Whether {@code id} can be an id of this stream: {@code <ms>-<seq>}, each a number that fits a
   * signed 64-bit integer (a Redis stream id's parts are 64-bit; Redis's own ids fit signed ones).
   */
  static boolean isEventId(String id) {
    if (id == null || !EVENT_ID.matcher(id).matches()) {
      return false;
    }
    int dash = id.indexOf('-');
    try {
      Long.parseLong(id.substring(0, dash));
      Long.parseLong(id.substring(dash + 1));
      return true;
    } catch (NumberFormatException tooBig) {
      return false;
    }
  }

  /** Whether stream id {@code a} comes after {@code b} ({@code ms-seq}, compared as numbers). */
  static boolean newer(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    long ma = Long.parseLong(a.substring(0, da));
    long mb = Long.parseLong(b.substring(0, db));
    return ma != mb ? ma > mb : Long.parseLong(a.substring(da + 1)) > Long.parseLong(b.substring(db + 1));
  }

  /** A change as JSON with its types: numbers for sequence and time, booleans for audio and video. */
  static Map<String, Object> typed(Map<String, String> change) {
    Map<String, Object> typed = new java.util.LinkedHashMap<>();
    typed.put("type", change.get("type"));
    typed.put("roomId", change.get("roomId"));
    typed.put("sequence", Long.parseLong(change.getOrDefault("sequence", "0")));
    String participant = change.get("participant");
    if (participant != null && !participant.isEmpty()) {
      typed.put("participant", participant);
      typed.put("identity", change.get("identity"));
      String type = change.get("type");
      if ("PARTICIPANT_JOINED".equals(type) || "PARTICIPANT_MEDIA_CHANGED".equals(type)) {
        typed.put("audio", Boolean.parseBoolean(change.get("audio")));
        typed.put("video", Boolean.parseBoolean(change.get("video")));
      }
    }
    typed.put("time", Long.parseLong(change.getOrDefault("time", "0")));
    return typed;
  }

  @Override
  public void close() {
    running = false;
    reader.interrupt();
    senders.shutdownNow();
    subscribers.forEach(s -> {
      end(s);
      try {
        s.emitter.complete();
      } catch (RuntimeException e) {
        log.debug("subscriber already gone: {}", e.toString()); // the web server stopped first
      }
    });
    subscribers.clear();
    synchronized (this) {
      if (replays != null) {
        replays.close();
      }
    }
  }
}
