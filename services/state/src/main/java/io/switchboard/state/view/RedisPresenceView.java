package io.switchboard.state.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.presence.PresenceEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The view in Redis, every key under the hash tag {@code {view}} (one slot: one script applies an
 * event to all it touches, atomically, together with the event's id — exactly once in effect):
 *
 * <ul>
 *   <li>{@code st:{view}:event:<id>} — an applied event's id (7 days): a redelivery is a duplicate;
 *   <li>{@code st:{view}:room:<id>} HASH {@code seq kmsNode openedAt name} — {@code seq} is the last
 *       sequence number applied, kept after the room closes;
 *   <li>{@code st:{view}:room:<id>:participants} HASH name → JSON {@code identity audio video joinedAt state};
 *   <li>{@code st:{view}:room:<id>:seqs} HASH {@code @name}, {@code #room}, {@code #closed} → the
 *       sequence number last applied to each (tombstones, 7 days);
 *   <li>{@code st:{view}:rooms} ZSET open rooms by opening time;
 *   <li>{@code st:{view}:user:<identity>} HASH room → JSON {@code participant state since}, and
 *       {@code lastSeen};
 *   <li>{@code st:{view}:changes} STREAM — each applied change, in order (about the last 100 000):
 *       the SSE stream and its {@code Last-Event-ID}.
 * </ul>
 */
public final class RedisPresenceView implements PresenceView {

  static final String PREFIX = "st:{view}:";
  /** Every change applied, in order: what the SSE stream serves, and resumes from. */
  public static final String CHANGES = PREFIX + "changes";
  /** About how many changes the stream keeps for clients that resume. */
  static final long CHANGES_KEPT = 100_000;
  private static final Duration DEDUP = Duration.ofDays(7);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * KEYS: event, room, participants, rooms, user, seqs, changes. ARGV: type, roomId, seq,
   * participant, identity, kmsNode, audio, video, time (ms), dedup TTL (s), user key prefix,
   * changes kept, room name, partition ('' for none), offset. KEYS[8]: positions.
   *
   * <p>Events of one room may arrive out of order (two signaling pods send them), so each
   * participant, and the room itself, remembers the sequence number of the last event applied to
   * it ({@code seqs}: {@code @name} for joins and leaves, {@code ~name} for media and connection
   * state, {@code #room}/{@code #closed} for the room; kept after a leave or a close as
   * tombstones): an event older than that changes nothing, whatever else arrived between. A state
   * change that arrives before its participant's join is dropped (the join's state stands until
   * the next change). The room's {@code seq} is the highest applied.
   */
  private static final RedisScript<String> APPLY = RedisScript.of("""
      if ARGV[14] ~= '' then
        local at = tonumber(redis.call('HGET', KEYS[8], ARGV[14]) or '-1')
        if tonumber(ARGV[15]) > at then redis.call('HSET', KEYS[8], ARGV[14], ARGV[15]) end
      end
      if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[10]) then return 'DUPLICATE' end
      local seq = tonumber(ARGV[3])
      local t = ARGV[1]
      local name = ARGV[4]
      local time = tonumber(ARGV[9])
      local roomEvent = (t == 'ROOM_OPENED' or t == 'ROOM_CLOSED')
      local membership = (t == 'PARTICIPANT_JOINED' or t == 'PARTICIPANT_LEFT')
      local closed = tonumber(redis.call('HGET', KEYS[6], '#closed') or '0')
      local own
      if roomEvent then
        own = tonumber(redis.call('HGET', KEYS[6], '#room') or '0')
      else
        own = tonumber(redis.call('HGET', KEYS[6], '@' .. name) or '0')
        if not membership then
          own = math.max(own, tonumber(redis.call('HGET', KEYS[6], '~' .. name) or '0'))
        end
      end
      if seq <= own or (not roomEvent and seq <= closed) then return 'STALE' end
      -- A state change of someone not (yet) in the view changes nothing, and marks nothing.
      if not roomEvent and not membership and redis.call('HEXISTS', KEYS[3], name) == 0 then
        return 'STALE'
      end
      redis.call('HSET', KEYS[6], roomEvent and '#room' or ((membership and '@' or '~') .. name), seq)
      redis.call('PEXPIRE', KEYS[6], 7 * 24 * 3600 * 1000)
      local max = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
      local outcome = 'APPLIED'
      if seq < max then outcome = 'APPLIED_OUT_OF_ORDER'
      elseif max > 0 and seq > max + 1 then outcome = 'APPLIED_AFTER_GAP' end
      if seq > max then redis.call('HSET', KEYS[2], 'seq', seq) end
      local function userOf(identity)
        return ARGV[11] .. identity
      end
      local function open()
        if redis.call('ZSCORE', KEYS[4], ARGV[2]) == false then
          redis.call('ZADD', KEYS[4], time, ARGV[2])
          redis.call('HSET', KEYS[2], 'openedAt', time)
        end
        if ARGV[6] ~= '' then redis.call('HSET', KEYS[2], 'kmsNode', ARGV[6]) end
        if ARGV[13] ~= '' then redis.call('HSET', KEYS[2], 'name', ARGV[13]) end
      end
      local function setState(state)
        local cur = redis.call('HGET', KEYS[3], name)
        if not cur then return end
        local p = cjson.decode(cur)
        p.state = state
        redis.call('HSET', KEYS[3], name, cjson.encode(p))
        redis.call('HSET', userOf(p.identity), ARGV[2],
            cjson.encode({participant = name, state = state, since = time}))
        redis.call('HSET', userOf(p.identity), 'lastSeen', time)
      end
      if t == 'ROOM_OPENED' then
        open()
      elseif t == 'ROOM_CLOSED' then
        redis.call('HSET', KEYS[6], '#closed', seq)
        local all = redis.call('HGETALL', KEYS[3])
        for i = 1, #all, 2 do
          local p = cjson.decode(all[i + 1])
          local pseq = tonumber(redis.call('HGET', KEYS[6], '@' .. all[i]) or '0')
          if pseq < seq then
            redis.call('HDEL', KEYS[3], all[i])
            redis.call('HDEL', userOf(p.identity), ARGV[2])
            redis.call('HSET', userOf(p.identity), 'lastSeen', time)
          end
        end
        if redis.call('HLEN', KEYS[3]) == 0 then
          redis.call('HDEL', KEYS[2], 'kmsNode', 'openedAt', 'name')
          redis.call('ZREM', KEYS[4], ARGV[2])
        end
      elseif t == 'PARTICIPANT_JOINED' then
        open()
        redis.call('HSET', KEYS[3], name, cjson.encode({identity = ARGV[5], audio = ARGV[7] == 'true',
            video = ARGV[8] == 'true', joinedAt = time, state = 'connected'}))
        redis.call('HSET', KEYS[5], ARGV[2], cjson.encode({participant = name, state = 'connected', since = time}))
        redis.call('HSET', KEYS[5], 'lastSeen', time)
      elseif t == 'PARTICIPANT_MEDIA_CHANGED' then
        local cur = redis.call('HGET', KEYS[3], name)
        if cur then
          local p = cjson.decode(cur)
          p.audio = ARGV[7] == 'true'
          p.video = ARGV[8] == 'true'
          redis.call('HSET', KEYS[3], name, cjson.encode(p))
        end
      elseif t == 'PARTICIPANT_DISCONNECTED' then
        setState('disconnected')
      elseif t == 'PARTICIPANT_RESUMED' then
        setState('connected')
      elseif t == 'PARTICIPANT_LEFT' then
        local cur = redis.call('HGET', KEYS[3], name)
        if cur then
          local p = cjson.decode(cur)
          redis.call('HDEL', userOf(p.identity), ARGV[2])
          redis.call('HSET', userOf(p.identity), 'lastSeen', time)
        end
        redis.call('HDEL', KEYS[3], name)
      end
      redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[12], '*', 'type', t, 'roomId', ARGV[2], 'sequence', seq,
          'participant', name, 'identity', ARGV[5], 'audio', ARGV[7], 'video', ARGV[8], 'time', ARGV[9])
      return outcome
      """, String.class);

  private final StringRedisTemplate redis;

  public RedisPresenceView(StringRedisTemplate redis) {
    this.redis = redis;
  }

  static String roomKey(String roomId) {
    return PREFIX + "room:" + roomId;
  }

  static String userKey(String identity) {
    return PREFIX + "user:" + identity;
  }

  /** partition → offset of the last record taken in, written with each record's effect. */
  static final String POSITIONS = PREFIX + "positions";

  @Override
  public Map<Integer, Long> positions() {
    Map<Integer, Long> positions = new java.util.HashMap<>();
    redis.opsForHash().entries(POSITIONS).forEach((p, o) ->
        positions.put(Integer.parseInt((String) p), Long.parseLong((String) o)));
    return positions;
  }

  @Override
  public void taken(int partition, long offset) {
    redis.execute(TAKEN, List.of(POSITIONS), Integer.toString(partition), Long.toString(offset));
  }

  private static final RedisScript<Long> TAKEN = RedisScript.of("""
      local at = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
      if tonumber(ARGV[2]) > at then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end
      return 0
      """, Long.class);

  @Override
  public Outcome apply(PresenceEvent e) {
    String result = redis.execute(APPLY, keys(e), (Object[]) args(e, "", -1));
    if (result == null) {
      throw new IllegalStateException("Redis answered nothing to applying " + e.id());
    }
    return Outcome.valueOf(result);
  }

  /**
   * One pipeline of EVALSHAs, in order (Redis runs each script atomically; the pipeline saves the
   * round trips). A Redis that lost its scripts (restarted) gets them again, and the batch is
   * applied again: what was applied already is a duplicate.
   */
  @Override
  public List<Outcome> applyAll(List<Positioned> events) {
    if (events.isEmpty()) {
      return List.of();
    }
    try {
      return pipelined(events);
    } catch (org.springframework.dao.DataAccessException e) {
      if (!String.valueOf(e.getMostSpecificCause().getMessage()).contains("NOSCRIPT")) {
        throw e;
      }
      redis.execute((org.springframework.data.redis.core.RedisCallback<String>) c ->
          c.scriptingCommands().scriptLoad(APPLY.getScriptAsString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return pipelined(events);
    }
  }

  private List<Outcome> pipelined(List<Positioned> events) {
    byte[] sha = APPLY.getSha1().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<Object> results = redis.executePipelined((org.springframework.data.redis.core.RedisCallback<Object>) c -> {
      for (Positioned positioned : events) {
        PresenceEvent e = positioned.event();
        List<String> keys = keys(e);
        List<String> args = List.of(args(e, Integer.toString(positioned.partition()), positioned.offset()));
        byte[][] keysAndArgs = new byte[keys.size() + args.size()][];
        int i = 0;
        for (String k : keys) {
          keysAndArgs[i++] = k.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        for (String a : args) {
          keysAndArgs[i++] = a.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        c.scriptingCommands().evalSha(sha, org.springframework.data.redis.connection.ReturnType.VALUE, keys.size(),
            keysAndArgs);
      }
      return null;
    });
    List<Outcome> outcomes = new ArrayList<>(results.size());
    for (Object r : results) {
      String s = r instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(r);
      outcomes.add(Outcome.valueOf(s));
    }
    return outcomes;
  }

  private static List<String> keys(PresenceEvent e) {
    String identity = identity(e);
    return List.of(PREFIX + "event:" + e.id(), roomKey(e.roomId()), roomKey(e.roomId()) + ":participants",
        PREFIX + "rooms", userKey(identity), roomKey(e.roomId()) + ":seqs", CHANGES, POSITIONS);
  }

  private static String identity(PresenceEvent e) {
    return e.identity() != null ? e.identity() : e.participant() != null ? e.participant() : "";
  }

  private static String[] args(PresenceEvent e, String partition, long offset) {
    return new String[] {e.type().name(), e.roomId(), Long.toString(e.sequence()), nullToEmpty(e.participant()),
        identity(e), nullToEmpty(e.kmsNode()), String.valueOf(Boolean.TRUE.equals(e.audio())),
        String.valueOf(Boolean.TRUE.equals(e.video())), Long.toString(e.time().toEpochMilli()),
        Long.toString(DEDUP.toSeconds()), PREFIX + "user:", Long.toString(CHANGES_KEPT), nullToEmpty(e.roomName()),
        partition, Long.toString(offset)};
  }

  @Override
  public List<RoomSummary> rooms() {
    Set<ZSetOperations.TypedTuple<String>> open = redis.opsForZSet().rangeWithScores(PREFIX + "rooms", 0, -1);
    List<RoomSummary> rooms = new ArrayList<>();
    if (open != null) {
      for (ZSetOperations.TypedTuple<String> t : open) {
        String roomId = t.getValue();
        List<Object> fields = redis.opsForHash().multiGet(roomKey(roomId), List.of("kmsNode", "name"));
        Long size = redis.opsForHash().size(roomKey(roomId) + ":participants");
        rooms.add(new RoomSummary(roomId, (String) fields.get(1), (String) fields.get(0),
            t.getScore() == null ? 0 : t.getScore().longValue(), size == null ? 0 : size.intValue()));
      }
    }
    return rooms;
  }

  @Override
  public Optional<Room> room(String roomId) {
    Double opened = redis.opsForZSet().score(PREFIX + "rooms", roomId);
    if (opened == null) {
      return Optional.empty();
    }
    Map<Object, Object> room = redis.opsForHash().entries(roomKey(roomId));
    List<Participant> participants = new ArrayList<>();
    redis.opsForHash().entries(roomKey(roomId) + ":participants").forEach((name, json) -> {
      JsonNode p = read((String) json);
      participants.add(new Participant((String) name, p.path("identity").asText(), p.path("audio").asBoolean(),
          p.path("video").asBoolean(), p.path("joinedAt").asLong(), p.path("state").asText()));
    });
    participants.sort(Comparator.comparingLong(Participant::joinedAt).thenComparing(Participant::name));
    return Optional.of(new Room(roomId, (String) room.get("name"), (String) room.get("kmsNode"), opened.longValue(),
        Long.parseLong((String) room.getOrDefault("seq", "0")), participants));
  }

  @Override
  public Presence presence(String identity) {
    Map<Object, Object> user = redis.opsForHash().entries(userKey(identity));
    List<InRoom> rooms = new ArrayList<>();
    long lastSeen = 0;
    for (Map.Entry<Object, Object> e : user.entrySet()) {
      if ("lastSeen".equals(e.getKey())) {
        lastSeen = Long.parseLong((String) e.getValue());
      } else {
        JsonNode r = read((String) e.getValue());
        rooms.add(new InRoom((String) e.getKey(), r.path("participant").asText(), r.path("state").asText(),
            r.path("since").asLong()));
      }
    }
    rooms.sort(Comparator.comparing(InRoom::roomId));
    return new Presence(identity, rooms, lastSeen);
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
