package io.switchboard.signaling.placement.redis;

import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.signaling.domain.PlacedRooms;
import java.util.HashSet;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Placement's rooms in Redis: each known node's {@link PlacementKeys#nodeRooms} (read only). */
public final class RedisPlacedRooms implements PlacedRooms {

  private final StringRedisTemplate redis;

  public RedisPlacedRooms(StringRedisTemplate redis) {
    this.redis = redis;
  }

  @Override
  public Set<String> roomIds() {
    Set<String> nodes = redis.opsForSet().members(PlacementKeys.nodes());
    Set<String> rooms = new HashSet<>();
    for (String node : nodes == null ? Set.<String>of() : nodes) {
      Set<String> on = redis.opsForSet().members(PlacementKeys.nodeRooms(node));
      if (on != null) {
        rooms.addAll(on);
      }
    }
    return rooms;
  }
}
