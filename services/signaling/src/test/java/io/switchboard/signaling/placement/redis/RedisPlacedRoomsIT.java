package io.switchboard.signaling.placement.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.testing.RedisFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The rooms placement holds, read from its keys in a real redis-server: every known node's rooms. */
class RedisPlacedRoomsIT {

  @RegisterExtension
  static final RedisFixture redis = new RedisFixture();

  @BeforeEach
  void empty() {
    redis.flush();
  }

  @Test
  void everyKnownNodesRoomsAndNothingElse() {
    RedisPlacedRooms placed = new RedisPlacedRooms(redis.template);
    assertThat(placed.roomIds()).isEmpty();

    redis.template.opsForSet().add(PlacementKeys.nodes(), "kms-0", "kms-1", "kms-2");
    redis.template.opsForSet().add(PlacementKeys.nodeRooms("kms-0"), "standup", "retro");
    redis.template.opsForSet().add(PlacementKeys.nodeRooms("kms-1"), "all-hands");
    redis.template.opsForSet().add(PlacementKeys.nodeRooms("kms-9"), "of-a-forgotten-node");

    assertThat(placed.roomIds()).containsExactlyInAnyOrder("standup", "retro", "all-hands");
  }
}
