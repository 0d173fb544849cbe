package io.switchboard.signaling.placement.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.switchboard.placement.contract.NodeAnnouncement;
import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.signaling.domain.NodeLosses;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows placement's announcement stream ({@code sb:{placement}:announcements}: a node went DOWN
 * or was drained past its deadline, and these rooms must move) from the moment this pod starts,
 * on a connection of its own (a blocking XREAD must not hold up the shared one). Every pod reads
 * every announcement; the room's lock decides which pod rebuilds a room.
 */
public final class RedisNodeAnnouncements implements NodeLosses {

  private static final Logger log = LoggerFactory.getLogger(RedisNodeAnnouncements.class);
  private static final Duration BLOCK = Duration.ofSeconds(2);

  private final RedisClient client;
  private volatile Consumer<NodeLoss> listener;
  private volatile boolean running;
  private Thread reader;

  public RedisNodeAnnouncements(RedisClient client) {
    this.client = client;
  }

  @Override
  public synchronized void start(Consumer<NodeLoss> listener) {
    this.listener = listener;
    running = true;
    reader = new Thread(this::follow, "node-announcements");
    reader.setDaemon(true);
    reader.start();
  }

  private void follow() {
    String key = PlacementKeys.announcements();
    String last = null;
    StatefulRedisConnection<String, String> connection = null;
    while (running) {
      try {
        if (connection == null) {
          connection = client.connect();
          connection.setTimeout(BLOCK.plusSeconds(5));
        }
        if (last == null) {
          // Only what is announced from now on: older announcements were handled by the pods of their time.
          List<StreamMessage<String, String>> latest = connection.sync().xrevrange(key,
              io.lettuce.core.Range.create("-", "+"), io.lettuce.core.Limit.from(1));
          last = latest.isEmpty() ? "0-0" : latest.get(0).getId();
        }
        List<StreamMessage<String, String>> read = connection.sync().xread(
            XReadArgs.Builder.block(BLOCK).count(100), XReadArgs.StreamOffset.from(key, last));
        for (StreamMessage<String, String> message : read) {
          last = message.getId();
          try {
            listener.accept(lossOf(NodeAnnouncement.fromFields(message.getBody())));
          } catch (RuntimeException e) {
            log.warn("announcement {} not handled: {}", message, e.toString());
          }
        }
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        log.warn("reading node announcements failed (retrying): {}", e.toString());
        if (connection != null) {
          connection.closeAsync();
          connection = null;
        }
        pause();
      }
    }
    if (connection != null) {
      connection.closeAsync();
    }
  }

  /** Placement's announcement as the domain hears it. */
  static NodeLoss lossOf(NodeAnnouncement a) {
    return new NodeLoss(a.nodeId(), a.type() == NodeAnnouncement.Type.NODE_DOWN, a.rooms(), a.type() + ": " + a.reason());
  }

  private static void pause() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void close() {
    running = false;
    if (reader != null) {
      reader.interrupt();
    }
  }
}
