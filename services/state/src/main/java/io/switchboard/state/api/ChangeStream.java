package io.switchboard.state.api;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.state.view.RedisPresenceView;
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
 * Server-Sent Events of the view's changes ({@code st:{view}:changes}, a Redis stream the view
 * appends to as it applies each event). One reader follows the stream for every subscriber; a
 * subscriber that comes back with {@code Last-Event-ID} first gets what it missed, then the live
 * changes, each once, in order. Event ids are the stream's ids.
 */
public final class ChangeStream implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChangeStream.class);
  private static final Duration BLOCK = Duration.ofSeconds(1);

  private record Subscriber(SseEmitter emitter, String room) {}

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
    Subscriber s = new Subscriber(emitter, room);
    emitter.onCompletion(() -> subscribers.remove(s));
    emitter.onTimeout(() -> subscribers.remove(s));
    emitter.onError(e -> subscribers.remove(s));
    synchronized (lock) {
      if (lastEventId != null && delivered != null) {
        // What it missed, up to what live subscribers have had; then it is one of them.
        for (StreamMessage<String, String> m : replays().sync().xrange(RedisPresenceView.CHANGES,
            Range.create(lastEventId, delivered), Limit.from(10_000))) {
          if (!m.getId().equals(lastEventId)) {
            send(s, m);
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
        if (delivered == null) {
          List<StreamMessage<String, String>> latest = connection.sync().xrevrange(RedisPresenceView.CHANGES,
              Range.create("-", "+"), Limit.from(1));
          synchronized (lock) {
            delivered = latest.isEmpty() ? "0-0" : latest.get(0).getId();
          }
        }
        List<StreamMessage<String, String>> read = connection.sync().xread(
            XReadArgs.Builder.block(BLOCK).count(500), XReadArgs.StreamOffset.from(RedisPresenceView.CHANGES, delivered));
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

  private void send(Subscriber s, StreamMessage<String, String> m) {
    Map<String, String> change = m.getBody();
    if (s.room() != null && !s.room().equals(change.get("roomId"))) {
      return;
    }
    try {
      s.emitter().send(SseEmitter.event().id(m.getId()).name("change").data(typed(change), MediaType.APPLICATION_JSON));
    } catch (IOException | IllegalStateException e) {
      subscribers.remove(s);
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
      typed.put("audio", Boolean.parseBoolean(change.get("audio")));
      typed.put("video", Boolean.parseBoolean(change.get("video")));
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
