package io.switchboard.signaling.store.redis;

import io.switchboard.signaling.domain.RoomStore;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rooms in Redis. Keys (all of one room share the hash tag {@code {room:<id>}}):
 *
 * <ul>
 *   <li>{@code sb:{room:<id>}} HASH {@code nodeId kmsUrl pipelineId} — written by the pod that
 *       opened (or rebuilt) the room, read by every pod; {@code presenter} ({@code memberId name})
 *       while someone presents in a broadcast;
 *   <li>{@code sb:{room:<id>}:members} HASH name → the member's record as JSON ({@link
 *       RoomStore.MemberRecord}: membership id, pod, session hash, endpoint ids, media state,
 *       parked-until) — each field written only by the pod it names, checked in Lua;
 *   <li>{@code sb:{room:<id>}:lock} STRING — held while the room's pipeline is created;
 *   <li>{@code sb:session:<sha-256 of token>} HASH {@code room name roomName} — a resume token's owner
 *       (room id, participant, room name as typed), with a TTL.
 * </ul>
 */
public final class RedisRoomStore implements RoomStore {

  private static final Duration LOCK_TTL = Duration.ofSeconds(15);
  private static final RedisScript<Long> UNLOCK = RedisScript.of(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", Long.class);
  /** ARGV: name, membership id, pod ('' for any), removed only if parked until at most this (0: no such check). */
  private static final RedisScript<Long> REMOVE_MEMBER = RedisScript.of("""
      local cur = redis.call('HGET', KEYS[1], ARGV[1])
      if not cur then return -1 end
      local m = cjson.decode(cur)
      if m.id ~= ARGV[2] then return -1 end
      if ARGV[3] ~= '' and m.pod ~= ARGV[3] then return -1 end
      local due = tonumber(ARGV[4])
      if due > 0 and (m.parkedUntil == 0 or m.parkedUntil > due) then return -1 end
      redis.call('HDEL', KEYS[1], ARGV[1])
      return redis.call('HLEN', KEYS[1])
      """, Long.class);
  /** ARGV: name, membership id, expected pod, expected publisher, the new record. */
  private static final RedisScript<Long> REPLACE_MEMBER = RedisScript.of("""
      local cur = redis.call('HGET', KEYS[1], ARGV[1])
      if not cur then return 0 end
      local m = cjson.decode(cur)
      if m.id ~= ARGV[2] or m.pod ~= ARGV[3] or m.publisher ~= ARGV[4] then return 0 end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[5])
      return 1
      """, Long.class);
  /** ARGV: who. 1 when who presents now. */
  private static final RedisScript<Long> CLAIM_PRESENTER = RedisScript.of("""
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      local cur = redis.call('HGET', KEYS[1], 'presenter')
      if not cur then redis.call('HSET', KEYS[1], 'presenter', ARGV[1]) return 1 end
      if cur == ARGV[1] then return 1 end
      return 0
      """, Long.class);
  private static final RedisScript<Long> RELEASE_PRESENTER = RedisScript.of(
      "if redis.call('HGET', KEYS[1], 'presenter') == ARGV[1] then return redis.call('HDEL', KEYS[1], 'presenter') end "
          + "return 0", Long.class);
  /** A session and its TTL in one step: never a session key that lives for ever. */
  private static final RedisScript<Long> SAVE_SESSION = RedisScript.of("""
      redis.call('HSET', KEYS[1], 'room', ARGV[1], 'name', ARGV[2], 'roomName', ARGV[4])
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return 1
      """, Long.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** ARGV: pipeline id, name, record, most members. Answers the ordinal of {@link Added}. */
  private static final RedisScript<Long> ADD_MEMBER = RedisScript.of("""
      if redis.call('HGET', KEYS[1], 'pipelineId') ~= ARGV[1] then return 2 end
      if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return 1 end
      if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[4]) then return 3 end
      redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
      return 0
      """, Long.class);
  private static final RedisScript<Long> DELETE_IF_EMPTY = RedisScript.of(
      "if redis.call('HLEN', KEYS[2]) == 0 then return redis.call('DEL', KEYS[1], KEYS[2]) end return 0", Long.class);

  private final StringRedisTemplate redis;

  public RedisRoomStore(StringRedisTemplate redis) {
    this.redis = redis;
  }

  static String roomKey(String roomId) {
    return "sb:{room:" + roomId + "}";
  }

  static String membersKey(String roomId) {
    return roomKey(roomId) + ":members";
  }

  static String lockKey(String roomId) {
    return roomKey(roomId) + ":lock";
  }

  @Override
  public Optional<RoomRecord> room(String roomId) {
    List<Object> r = redis.opsForHash().multiGet(roomKey(roomId), List.of("nodeId", "kmsUrl", "pipelineId"));
    if (r.get(2) == null) {
      return Optional.empty();
    }
    return Optional.of(new RoomRecord((String) r.get(0), (String) r.get(1), (String) r.get(2)));
  }

  @Override
  public boolean lockRoom(String roomId, String owner) {
    return Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(lockKey(roomId), owner, LOCK_TTL));
  }

  @Override
  public void unlockRoom(String roomId, String owner) {
    redis.execute(UNLOCK, List.of(lockKey(roomId)), owner);
  }

  @Override
  public void saveRoom(String roomId, RoomRecord room) {
    redis.opsForHash().putAll(roomKey(roomId),
        Map.of("nodeId", room.nodeId(), "kmsUrl", room.kmsUrl(), "pipelineId", room.pipelineId()));
  }

  @Override
  public Added addMember(String roomId, String pipelineId, String name, MemberRecord member, int maxMembers) {
    Long result = redis.execute(ADD_MEMBER, List.of(roomKey(roomId), membersKey(roomId)),
        pipelineId, name, encode(member), Integer.toString(maxMembers));
    if (result == null) {
      throw new IllegalStateException("Redis answered nothing to adding a member");
    }
    return Added.values()[result.intValue()];
  }

  @Override
  public Map<String, MemberRecord> members(String roomId) {
    Map<String, MemberRecord> members = new LinkedHashMap<>();
    redis.opsForHash().entries(membersKey(roomId)).entrySet().stream()
        .map(e -> Map.entry((String) e.getKey(), decode((String) e.getValue())))
        .sorted(Comparator.comparingLong((Map.Entry<String, MemberRecord> e) -> e.getValue().joinedAt())
            .thenComparing(Map.Entry::getKey))
        .forEach(e -> members.put(e.getKey(), e.getValue()));
    return members;
  }

  @Override
  public Optional<MemberRecord> member(String roomId, String name) {
    Object value = redis.opsForHash().get(membersKey(roomId), name);
    return Optional.ofNullable(value).map(v -> decode((String) v));
  }

  @Override
  public boolean replaceMember(String roomId, String name, String expectedPod, String expectedPublisher,
      MemberRecord next) {
    Long replaced = redis.execute(REPLACE_MEMBER, List.of(membersKey(roomId)), name, next.id(), expectedPod,
        expectedPublisher, encode(next));
    return replaced != null && replaced == 1;
  }

  @Override
  public long removeMember(String roomId, String name, String memberId, String expectedPod) {
    return remove(roomId, name, memberId, expectedPod, 0);
  }

  @Override
  public long removeExpiredMember(String roomId, String name, String memberId, long nowMillis) {
    return remove(roomId, name, memberId, "", Math.max(1, nowMillis));
  }

  private long remove(String roomId, String name, String memberId, String pod, long dueBy) {
    Long left = redis.execute(REMOVE_MEMBER, List.of(membersKey(roomId)), name, memberId, pod, Long.toString(dueBy));
    if (left == null) {
      throw new IllegalStateException("Redis answered nothing to removing a member");
    }
    return left;
  }

  @Override
  public boolean claimPresenter(String roomId, String who) {
    Long claimed = redis.execute(CLAIM_PRESENTER, List.of(roomKey(roomId)), who);
    return claimed != null && claimed == 1;
  }

  @Override
  public Optional<String> presenter(String roomId) {
    return Optional.ofNullable((String) redis.opsForHash().get(roomKey(roomId), "presenter"));
  }

  @Override
  public boolean releasePresenter(String roomId, String who) {
    Long released = redis.execute(RELEASE_PRESENTER, List.of(roomKey(roomId)), who);
    return released != null && released == 1;
  }

  @Override
  public boolean deleteIfEmpty(String roomId) {
    Long deleted = redis.execute(DELETE_IF_EMPTY, List.of(roomKey(roomId), membersKey(roomId)));
    return deleted != null && deleted > 0;
  }

  static String sessionKey(String tokenHash) {
    return "sb:session:" + tokenHash;
  }

  @Override
  public void saveSession(String tokenHash, SessionRecord session, Duration ttl) {
    redis.execute(SAVE_SESSION, List.of(sessionKey(tokenHash)), session.roomId(), session.name(),
        Long.toString(ttl.toMillis()), session.roomName());
  }

  @Override
  public Optional<SessionRecord> session(String tokenHash) {
    List<Object> r = redis.opsForHash().multiGet(sessionKey(tokenHash), List.of("room", "name", "roomName"));
    if (r.get(0) == null || r.get(1) == null) {
      return Optional.empty();
    }
    return Optional.of(new SessionRecord((String) r.get(0), (String) r.get(1),
        r.get(2) == null ? (String) r.get(0) : (String) r.get(2)));
  }

  @Override
  public void deleteSession(String tokenHash) {
    redis.delete(sessionKey(tokenHash));
  }

  static String encode(MemberRecord m) {
    return JSON.writeValueAsString(m);
  }

  static MemberRecord decode(String value) {
    return JSON.readValue(value, MemberRecord.class);
  }
}
