package io.switchboard.signaling.store.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.switchboard.signaling.domain.RoomEvents;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Room events over Redis pub/sub, one channel per room ({@link SignalingKeys#roomEvents}; every pod
 * serving a participant of the room subscribes, any of them publishes). Subscribing waits for
 * Redis's confirmation, so a pod hears every event published after it followed the room. Events
 * are handed to listeners on one thread, in the order Redis delivered them.
 */
public final class RedisRoomEvents implements RoomEvents, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisRoomEvents.class);

  private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder()
      .build();

  private final StringRedisTemplate redis;
  private final StatefulRedisPubSubConnection<String, String> subscriptions;
  private final Map<String, Consumer<RoomEvent>> listeners = new ConcurrentHashMap<>();
  private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "room-events");
    t.setDaemon(true);
    return t;
  });

  public RedisRoomEvents(StringRedisTemplate redis, RedisClient client, Duration timeout) {
    this.redis = redis;
    this.subscriptions = client.connectPubSub();
    this.subscriptions.setTimeout(timeout);
    this.subscriptions.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        Consumer<RoomEvent> listener = listeners.get(channel);
        if (listener == null) {
          return;
        }
        delivery.execute(() -> {
          try {
            listener.accept(decode(message));
          } catch (RuntimeException e) {
            log.warn("room event {} on {} failed: {}", message, channel, e.toString());
          }
        });
      }
    });
  }

  static String channel(String roomId) {
    return SignalingKeys.roomEvents(roomId);
  }

  @Override
  public void follow(String roomId, Consumer<RoomEvent> listener) {
    String channel = channel(roomId);
    listeners.put(channel, listener);
    subscriptions.sync().subscribe(channel);
  }

  @Override
  public void unfollow(String roomId) {
    String channel = channel(roomId);
    listeners.remove(channel);
    subscriptions.sync().unsubscribe(channel);
  }

  @Override
  public void publish(String roomId, RoomEvent event) {
    redis.convertAndSend(channel(roomId), encode(event));
  }

  /** Events travel as JSON. */
  static String encode(RoomEvent e) {
    return JSON.writeValueAsString(e);
  }

  static RoomEvent decode(String message) {
    return JSON.readValue(message, RoomEvent.class);
  }

  @Override
  public void close() {
    delivery.shutdownNow();
    subscriptions.close();
  }
}
