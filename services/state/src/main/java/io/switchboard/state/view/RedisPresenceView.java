package io.switchboard.state.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.presence.PresenceEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The view in Redis: the keys of {@link PresenceViewKeys} (what each holds is said there), all
 * under the hash tag {@code {view}}. Applying an event is one script of {@code resources/redis/},
 * run by SHA: it changes everything the event touches atomically, together with the event's id —
 * exactly once in effect.
 */
public final class RedisPresenceView implements PresenceView {

  /** About how many changes the stream keeps for clients that resume. */
  static final long CHANGES_KEPT = 100_000;
  private static final Duration DEDUP = Duration.ofDays(7);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One event, its id and its topic position, in one step; its KEYS, ARGV and answers are in its header. */
  private static final RedisScript<String> APPLY = script("presence-view-apply", String.class);
  /** A topic position taken in without an event (a dead-lettered record). */
  private static final RedisScript<Long> TAKEN = script("presence-view-taken", Long.class);
  /** A room nothing was heard of for too long, closed. */
  private static final RedisScript<Long> EXPIRE = script("presence-view-expire", Long.class);

  private final StringRedisTemplate redis;

  public RedisPresenceView(StringRedisTemplate redis) {
    this.redis = redis;
  }

  @Override
  public Map<Integer, Long> positions() {
    Map<Integer, Long> positions = new java.util.HashMap<>();
    redis.opsForHash().entries(PresenceViewKeys.positions()).forEach((p, o) ->
        positions.put(Integer.parseInt((String) p), Long.parseLong((String) o)));
    return positions;
  }

  @Override
  public void taken(int partition, long offset) {
    redis.execute(TAKEN, List.of(PresenceViewKeys.positions()), Integer.toString(partition),
        Long.toString(offset));
  }

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
    return List.of(PresenceViewKeys.event(e.id()), PresenceViewKeys.room(e.roomId()),
        PresenceViewKeys.roomParticipants(e.roomId()), PresenceViewKeys.rooms(), PresenceViewKeys.user(identity),
        PresenceViewKeys.roomSequences(e.roomId()), PresenceViewKeys.changes(), PresenceViewKeys.positions(),
        PresenceViewKeys.heard());
  }

  private static String identity(PresenceEvent e) {
    return e.identity() != null ? e.identity() : e.participant() != null ? e.participant() : "";
  }

  private static String[] args(PresenceEvent e, String partition, long offset) {
    return new String[] {e.type().name(), e.roomId(), Long.toString(e.sequence()), nullToEmpty(e.participant()),
        identity(e), nullToEmpty(e.kmsNode()), String.valueOf(Boolean.TRUE.equals(e.audio())),
        String.valueOf(Boolean.TRUE.equals(e.video())), Long.toString(e.time().toEpochMilli()),
        Long.toString(DEDUP.toSeconds()), PresenceViewKeys.userPrefix(), Long.toString(CHANGES_KEPT),
        nullToEmpty(e.roomName()),
        partition, Long.toString(offset), members(e)};
  }

  /** A snapshot's members as the apply script reads them; '' for any other event. */
  private static String members(PresenceEvent e) {
    if (e.members() == null) {
      return "";
    }
    com.fasterxml.jackson.databind.node.ArrayNode members = JSON.createArrayNode();
    for (PresenceEvent.Member m : e.members()) {
      members.addObject().put("participant", m.participant()).put("identity", m.identity()).put("audio", m.audio())
          .put("video", m.video()).put("connected", m.connected()).put("joinedAt", m.joinedAt());
    }
    return members.toString();
  }

  @Override
  public List<String> expireSilentRooms(long cutoffMillis, long nowMillis) {
    // Rooms the view held before it kept track of when it heard of them count as heard of now.
    Set<String> open = redis.opsForZSet().range(PresenceViewKeys.rooms(), 0, -1);
    if (open != null && !open.isEmpty()) {
      Set<ZSetOperations.TypedTuple<String>> now = new java.util.HashSet<>();
      open.forEach(roomId -> now.add(ZSetOperations.TypedTuple.of(roomId, (double) nowMillis)));
      redis.opsForZSet().addIfAbsent(PresenceViewKeys.heard(), now);
    }
    Set<String> silent = redis.opsForZSet().rangeByScore(PresenceViewKeys.heard(), Double.NEGATIVE_INFINITY,
        cutoffMillis - 1);
    List<String> expired = new ArrayList<>();
    for (String roomId : silent == null ? Set.<String>of() : silent) {
      Long removed = redis.execute(EXPIRE, List.of(PresenceViewKeys.room(roomId),
          PresenceViewKeys.roomParticipants(roomId), PresenceViewKeys.rooms(), PresenceViewKeys.heard(),
          PresenceViewKeys.changes()), roomId, Long.toString(cutoffMillis), Long.toString(nowMillis),
          PresenceViewKeys.userPrefix(), Long.toString(CHANGES_KEPT));
      if (removed != null && removed >= 0) {
        expired.add(roomId);
      }
    }
    return expired;
  }

  @Override
  public List<RoomSummary> rooms() {
    Set<ZSetOperations.TypedTuple<String>> open =
        redis.opsForZSet().rangeWithScores(PresenceViewKeys.rooms(), 0, -1);
    List<RoomSummary> rooms = new ArrayList<>();
    if (open != null) {
      for (ZSetOperations.TypedTuple<String> t : open) {
        String roomId = t.getValue();
        List<Object> fields =
            redis.opsForHash().multiGet(PresenceViewKeys.room(roomId), List.of("kmsNode", "name"));
        Long size = redis.opsForHash().size(PresenceViewKeys.roomParticipants(roomId));
        rooms.add(new RoomSummary(roomId, (String) fields.get(1), (String) fields.get(0),
            t.getScore() == null ? 0 : t.getScore().longValue(), size == null ? 0 : size.intValue()));
      }
    }
    return rooms;
  }

  @Override
  public Optional<Room> room(String roomId) {
    Double opened = redis.opsForZSet().score(PresenceViewKeys.rooms(), roomId);
    if (opened == null) {
      return Optional.empty();
    }
    Map<Object, Object> room = redis.opsForHash().entries(PresenceViewKeys.room(roomId));
    List<Participant> participants = new ArrayList<>();
    redis.opsForHash().entries(PresenceViewKeys.roomParticipants(roomId)).forEach((name, json) -> {
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
    Map<Object, Object> user = redis.opsForHash().entries(PresenceViewKeys.user(identity));
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

  /**
   * {@code resources/redis/<name>.lua}, read once. Spring's script executor runs it by SHA and
   * sends the source again only when Redis answers NOSCRIPT ({@link #applyAll} does the same by
   * hand for its pipeline).
   */
  private static <T> RedisScript<T> script(String name, Class<T> type) {
    String path = "redis/" + name + ".lua";
    try {
      return RedisScript.of(new ClassPathResource(path, RedisPresenceView.class.getClassLoader())
          .getContentAsString(StandardCharsets.UTF_8), type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
