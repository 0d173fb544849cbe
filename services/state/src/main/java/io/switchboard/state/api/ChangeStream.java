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
 * appends to as it applies each event). One reader follows the stream for every subscriber; a
 * subscriber that comes back with {@code Last-Event-ID} first gets what it missed, then the live
 * changes, each once, in order. Event ids are the stream's ids.
 */
public final class ChangeStream implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChangeStream.class);
  private static final Duration BLOCK = Duration.ofSeconds(1);
  private static final java.util.regex.Pattern EVENT_ID = java.util.regex.Pattern.compile("\\d{1,19}-\\d{1,19}");

  /** A subscriber; it is sent changes with ids after {@code after} only (null: all). */
  private record Subscriber(SseEmitter emitter, String room, String after) {}

  private final RedisClient client;
  private final Duration timeout;
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  /** The id of the last change handed to live subscribers (under {@link #lock}). */
  private String delivered;
  private volatile boolean running = true;
  private final Thread reader;
  private StatefulRedisConnection<String, String> replays;

  public ChangeStream(RedisClient client, Duration timeout, MeterRegistry registry) {
    this.client = client;
    this.timeout = timeout;
    Gauge.builder("switchboard.state.sse.subscribers", subscribers, List::size)
        .description("Open /v1/stream connections").register(registry);
    this.reader = new Thread(this::follow, "change-stream");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /** A new subscriber, for one room or all ({@code room} null), resuming after {@code lastEventId} if given. */
  public SseEmitter subscribe(String room, String lastEventId) throws IOException {
    SseEmitter emitter = new SseEmitter(timeout.toMillis());
    Subscriber s = new Subscriber(emitter, room, lastEventId);
    emitter.onCompletion(() -> subscribers.remove(s));
    emitter.onTimeout(() -> subscribers.remove(s));
    emitter.onError(e -> subscribers.remove(s));
    synchronized (lock) {
      if (delivered == null) {
        delivered = latest(replays());
      }
      if (lastEventId != null) {
        // What it missed, up to what live subscribers have had (page by page); then it is one of them.
        String from = lastEventId;
        while (newer(delivered, from)) {
          List<StreamMessage<String, String>> page = replays().sync().xrange(PresenceViewKeys.changes(),
              Range.create(from, delivered), Limit.from(1_000));
          boolean progressed = false;
          for (StreamMessage<String, String> m : page) {
            if (newer(m.getId(), from)) {
              send(s, m);
              from = m.getId();
              progressed = true;
            }
          }
          if (!progressed) {
            break;
          }
        }
      }
      subscribers.add(s);
    }
    emitter.send(SseEmitter.event().comment("subscribed"));
    return emitter;
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
            XReadArgs.Builder.block(BLOCK).count(500),
            XReadArgs.StreamOffset.from(PresenceViewKeys.changes(), delivered));
        synchronized (lock) {
          for (StreamMessage<String, String> m : read) {
            subscribers.forEach(s -> send(s, m));
            delivered = m.getId();
          }
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

  private static String latest(StatefulRedisConnection<String, String> connection) {
    List<StreamMessage<String, String>> latest = connection.sync().xrevrange(PresenceViewKeys.changes(),
        Range.create("-", "+"), Limit.from(1));
    return latest.isEmpty() ? "0-0" : latest.get(0).getId();
  }

  /** Whether stream id {@code a} comes after {@code b} ({@code ms-seq}, compared as numbers). */
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

  static boolean newer(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    long ma = Long.parseLong(a.substring(0, da));
    long mb = Long.parseLong(b.substring(0, db));
    return ma != mb ? ma > mb : Long.parseLong(a.substring(da + 1)) > Long.parseLong(b.substring(db + 1));
  }

  private void send(Subscriber s, StreamMessage<String, String> m) {
    if (s.after() != null && !newer(m.getId(), s.after())) {
      return; // had it already (it came back to another replica that was behind)
    }
    Map<String, String> change = m.getBody();
    if (s.room() != null && !s.room().equals(change.get("roomId"))) {
      return;
    }
    try {
      s.emitter().send(SseEmitter.event().id(m.getId()).name("change").data(typed(change), MediaType.APPLICATION_JSON));
    } catch (IOException | IllegalStateException e) {
      subscribers.remove(s);
      try {
        s.emitter().completeWithError(e);
      } catch (RuntimeException ignored) {
        // gone already
      }
    }
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
    subscribers.forEach(s -> {
      try {
        s.emitter().complete();
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
