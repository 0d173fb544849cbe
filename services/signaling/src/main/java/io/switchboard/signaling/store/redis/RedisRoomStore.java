package io.switchboard.signaling.store.redis;

import io.switchboard.signaling.domain.RoomStore;
import io.switchboard.signaling.redis.RedisScripts;
import io.switchboard.signaling.redis.SignalingKeys;
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
 * Rooms and resume sessions in Redis: {@link SignalingKeys#room}, {@link SignalingKeys#roomMembers},
 * {@link SignalingKeys#roomLock} and {@link SignalingKeys#session} (what each holds is said there).
 * Every change that must be atomic is a script of {@code resources/redis/}, run by SHA.
 */
public final class RedisRoomStore implements RoomStore {

  private static final Duration LOCK_TTL = Duration.ofSeconds(15);
  private static final RedisScript<Long> UNLOCK = RedisScripts.load("room-unlock", Long.class);
  private static final RedisScript<Long> SAVE_ROOM = RedisScripts.load("room-save", Long.class);
  /** The room's sequence counter is kept as long after a join or leave as after any event. */
  private static final String KEEP_SEQUENCE = Long.toString(SignalingKeys.ROOM_SEQUENCE_KEEP.toMillis());
  private static final RedisScript<Long> RESERVE_OPENING = RedisScripts.load("room-reserve", Long.class);
  /** A client's openings key lives this long after its last addition (a count a dead pod left fades). */
  private static final Duration OPENINGS_TTL = Duration.ofDays(1);
  @SuppressWarnings("rawtypes") // a Lua table comes back as a list of a number and a string
  private static final RedisScript<List> REMOVE_MEMBER = RedisScripts.load("room-remove-member", List.class);
  private static final RedisScript<Long> REPLACE_MEMBER = RedisScripts.load("room-replace-member", Long.class);
  private static final RedisScript<Long> CLAIM_PRESENTER = RedisScripts.load("room-claim-presenter", Long.class);
  private static final RedisScript<Long> RELEASE_PRESENTER = RedisScripts.load("room-release-presenter", Long.class);
  /** A session and its TTL in one step: never a session key that lives for ever. */
  private static final RedisScript<Long> SAVE_SESSION = RedisScripts.load("session-save", Long.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** Answers the ordinal of {@link Added}, then after ADDED the members hash's fields and values. */
  @SuppressWarnings("rawtypes")
  private static final RedisScript<List> ADD_MEMBER = RedisScripts.load("room-add-member", List.class);
  private static final RedisScript<Long> DELETE_IF_EMPTY = RedisScripts.load("room-delete-if-empty", Long.class);
  @SuppressWarnings("rawtypes")
  private static final RedisScript<List> SNAPSHOT = RedisScripts.load("room-snapshot", List.class);

  private final StringRedisTemplate redis;

  public RedisRoomStore(StringRedisTemplate redis) {
    this.redis = redis;
  }

  @Override
  public Optional<RoomRecord> room(String roomId) {
    List<Object> r = redis.opsForHash().multiGet(SignalingKeys.room(roomId),
        List.of("nodeId", "kmsUrl", "pipelineId"));
    if (r.get(2) == null) {
      return Optional.empty();
    }
    return Optional.of(new RoomRecord((String) r.get(0), (String) r.get(1), (String) r.get(2)));
  }

  @Override
  public Optional<Snapshot> snapshot(String roomId) {
    List<?> answer = redis.execute(SNAPSHOT, List.of(SignalingKeys.room(roomId), SignalingKeys.roomMembers(roomId),
        SignalingKeys.roomSequence(roomId)), KEEP_SEQUENCE);
    if (answer == null || answer.isEmpty()) {
      return Optional.empty();
    }
    Map<Object, Object> fields = new LinkedHashMap<>();
    for (int i = 4; i + 1 < answer.size(); i += 2) {
      fields.put(answer.get(i), answer.get(i + 1));
    }
    return Optional.of(new Snapshot(new RoomRecord((String) answer.get(1), (String) answer.get(2),
        (String) answer.get(3)), inJoinOrder(fields), ((Number) answer.get(0)).longValue()));
  }

  @Override
  public boolean lockRoom(String roomId, String owner) {
    return Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(SignalingKeys.roomLock(roomId), owner, LOCK_TTL));
  }

  @Override
  public void unlockRoom(String roomId, String owner) {
    redis.execute(UNLOCK, List.of(SignalingKeys.roomLock(roomId)), owner);
  }

  @Override
  public boolean saveRoom(String roomId, String owner, RoomRecord room, String opener) {
    Long saved = redis.execute(SAVE_ROOM, List.of(SignalingKeys.roomLock(roomId), SignalingKeys.room(roomId)), owner,
        room.nodeId(), room.kmsUrl(), room.pipelineId(), opener == null ? "" : opener);
    return saved != null && saved == 1L;
  }

  @Override
  public boolean reserveOpening(String opener, String roomId, int max) {
    Long reserved = redis.execute(RESERVE_OPENING, List.of(SignalingKeys.openings(opener)), roomId,
        Integer.toString(max), Long.toString(OPENINGS_TTL.toSeconds()));
    return reserved != null && reserved == 1L;
  }

  @Override
  public void releaseOpening(String opener, String roomId) {
    redis.opsForSet().remove(SignalingKeys.openings(opener), roomId);
  }

  @Override
  public Optional<String> openerOf(String roomId) {
    return Optional.ofNullable((String) redis.opsForHash().get(SignalingKeys.room(roomId), "opener"));
  }

  @Override
  public Admission admit(String roomId, String pipelineId, String name, MemberRecord member, int maxMembers) {
    List<?> answer = redis.execute(ADD_MEMBER, List.of(SignalingKeys.room(roomId), SignalingKeys.roomMembers(roomId),
        SignalingKeys.roomSequence(roomId)), pipelineId, name, encode(member), Integer.toString(maxMembers), KEEP_SEQUENCE);
    if (answer == null || answer.isEmpty()) {
      throw new IllegalStateException("Redis answered nothing to adding a member");
    }
    Added added = Added.values()[((Number) answer.get(0)).intValue()];
    if (added != Added.ADDED) {
      return new Admission(added, Map.of());
    }
    Map<Object, Object> fields = new LinkedHashMap<>();
    for (int i = 2; i + 1 < answer.size(); i += 2) {
      fields.put(answer.get(i), answer.get(i + 1));
    }
    return new Admission(added, inJoinOrder(fields), ((Number) answer.get(1)).longValue());
  }

  @Override
  public Map<String, MemberRecord> members(String roomId) {
    return inJoinOrder(redis.opsForHash().entries(SignalingKeys.roomMembers(roomId)));
  }

  private static Map<String, MemberRecord> inJoinOrder(Map<Object, Object> fields) {
    Map<String, MemberRecord> members = new LinkedHashMap<>();
    fields.entrySet().stream()
        .map(e -> Map.entry((String) e.getKey(), decode((String) e.getValue())))
        .sorted(Comparator.comparingLong((Map.Entry<String, MemberRecord> e) -> e.getValue().joinedAt())
            .thenComparing(Map.Entry::getKey))
        .forEach(e -> members.put(e.getKey(), e.getValue()));
    return members;
  }

  @Override
  public Optional<MemberRecord> member(String roomId, String name) {
    Object value = redis.opsForHash().get(SignalingKeys.roomMembers(roomId), name);
    return Optional.ofNullable(value).map(v -> decode((String) v));
  }

  @Override
  public boolean replaceMember(String roomId, String name, String expectedPod, String expectedPublisher,
      MemberRecord next) {
    Long replaced = redis.execute(REPLACE_MEMBER, List.of(SignalingKeys.roomMembers(roomId)), name, next.id(), expectedPod,
        expectedPublisher, encode(next));
    return replaced != null && replaced == 1;
  }

  @Override
  public Removal removeMember(String roomId, String name, String memberId, String expectedPod) {
    return remove(roomId, name, memberId, expectedPod, 0);
  }

  @Override
  public Removal removeExpiredMember(String roomId, String name, String memberId, long nowMillis) {
    return remove(roomId, name, memberId, "", Math.max(1, nowMillis));
  }

  private Removal remove(String roomId, String name, String memberId, String pod, long dueBy) {
    List<?> answer = redis.execute(REMOVE_MEMBER, List.of(SignalingKeys.roomMembers(roomId),
        SignalingKeys.roomSequence(roomId)), name, memberId, pod, Long.toString(dueBy), KEEP_SEQUENCE);
    if (answer == null || answer.isEmpty()) {
      throw new IllegalStateException("Redis answered nothing to removing a member");
    }
    long left = ((Number) answer.get(0)).longValue();
    return left < 0 ? Removal.NONE
        : new Removal(left, decode((String) answer.get(1)), ((Number) answer.get(2)).longValue());
  }

  @Override
  public boolean claimPresenter(String roomId, String who) {
    Long claimed = redis.execute(CLAIM_PRESENTER, List.of(SignalingKeys.room(roomId)), who);
    return claimed != null && claimed == 1;
  }

  @Override
  public Optional<String> presenter(String roomId) {
    return Optional.ofNullable((String) redis.opsForHash().get(SignalingKeys.room(roomId), "presenter"));
  }

  @Override
  public boolean releasePresenter(String roomId, String who) {
    Long released = redis.execute(RELEASE_PRESENTER, List.of(SignalingKeys.room(roomId)), who);
    return released != null && released == 1;
  }

  @Override
  public boolean deleteIfEmpty(String roomId) {
    Long deleted = redis.execute(DELETE_IF_EMPTY, List.of(SignalingKeys.room(roomId), SignalingKeys.roomMembers(roomId)));
    return deleted != null && deleted > 0;
  }

  @Override
  public void saveSession(String tokenHash, SessionRecord session, Duration ttl) {
    redis.execute(SAVE_SESSION, List.of(SignalingKeys.session(tokenHash)), session.roomId(), session.name(),
        Long.toString(ttl.toMillis()), session.roomName());
  }

  @Override
  public Optional<SessionRecord> session(String tokenHash) {
    List<Object> r = redis.opsForHash().multiGet(SignalingKeys.session(tokenHash), List.of("room", "name", "roomName"));
    if (r.get(0) == null || r.get(1) == null) {
      return Optional.empty();
    }
    return Optional.of(new SessionRecord((String) r.get(0), (String) r.get(1),
        r.get(2) == null ? (String) r.get(0) : (String) r.get(2)));
  }

  @Override
  public void deleteSession(String tokenHash) {
    redis.delete(SignalingKeys.session(tokenHash));
  }

  /**
   * Goes through a member record's codec (the first records a pod writes and reads would otherwise
   * each set it up, side by side) and a read of a room that cannot exist.
   */
  @Override
  public void prepare() {
    MemberRecord sample = new MemberRecord("m", "pod", "session", "pipeline/endpoint", true,
        java.util.Map.of("bob", "pipeline/endpoint-2"), true, true, 1, 0, false, null, null, null);
    for (int i = 0; i < 100; i++) {
      decode(encode(sample));
    }
    try {
      room("~rehearsal"); // no room id has that form (RoomIds)
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(RedisRoomStore.class).info("room store not gone through ahead: {}",
          e.toString());
    }
  }

  static String encode(MemberRecord m) {
    return JSON.writeValueAsString(m);
  }

  static MemberRecord decode(String value) {
    return JSON.readValue(value, MemberRecord.class);
  }
}
