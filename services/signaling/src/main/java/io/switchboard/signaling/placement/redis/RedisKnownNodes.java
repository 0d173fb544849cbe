package io.switchboard.signaling.placement.redis;

import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.signaling.domain.KnownNodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Placement's node registry in Redis ({@link PlacementKeys#nodes()} and each node's hash): read only. */
public final class RedisKnownNodes implements KnownNodes {

  private final StringRedisTemplate redis;

  public RedisKnownNodes(StringRedisTemplate redis) {
    this.redis = redis;
  }

  @Override
  public List<String> urls() {
    Set<String> ids = redis.opsForSet().members(PlacementKeys.nodes());
    List<String> urls = new ArrayList<>();
    for (String id : ids == null ? Set.<String>of() : ids) {
      List<Object> fields = redis.opsForHash().multiGet(PlacementKeys.node(id), List.of("url", "state"));
      Object url = fields.get(0);
      if (url instanceof String u && !u.isBlank() && !"DOWN".equals(fields.get(1))) {
        urls.add(u);
      }
    }
    urls.sort(null);
    return urls;
  }
}
