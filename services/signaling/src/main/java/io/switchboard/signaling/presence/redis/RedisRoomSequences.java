package io.switchboard.signaling.presence.redis;

import io.switchboard.signaling.domain.RoomSequences;
import io.switchboard.signaling.redis.RedisScripts;
import io.switchboard.signaling.redis.SignalingKeys;
import java.time.Duration;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * {@link SignalingKeys#roomSequence}: INCR, kept 30 days after the room's last event — longer than
 * any consumer's gap window, and it outlives the room's closing (its own key, not one of the room's),
 * so a room opened again counts on.
 */
public final class RedisRoomSequences implements RoomSequences {

  private static final Duration KEEP = SignalingKeys.ROOM_SEQUENCE_KEEP;
  private static final RedisScript<Long> NEXT = RedisScripts.load("room-sequence-next", Long.class);

  private final StringRedisTemplate redis;

  public RedisRoomSequences(StringRedisTemplate redis) {
    this.redis = redis;
  }

  @Override
  public long next(String roomId) {
    Long n = redis.execute(NEXT, List.of(SignalingKeys.roomSequence(roomId)), Long.toString(KEEP.toMillis()));
    if (n == null) {
      throw new IllegalStateException("Redis answered nothing to INCR");
    }
    return n;
  }
}
