package io.switchboard.placement.store.redis;

import io.switchboard.placement.contract.NodeAnnouncement;
import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.placement.contract.PlacementScripts;
import io.switchboard.placement.domain.HealthOutcome;
import io.switchboard.placement.domain.KmsReading;
import io.switchboard.placement.domain.NodeLoad;
import io.switchboard.placement.domain.NodeSelector;
import io.switchboard.placement.domain.NodeState;
import io.switchboard.placement.domain.Placement;
import io.switchboard.placement.domain.PlacementResult;
import io.switchboard.placement.domain.PlacementStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Placement state in Redis. Every change that must be atomic is one Lua script from {@code
 * resources/redis/}, loaded once and called by SHA (Spring's script executor falls back to EVAL
 * only when Redis lost its script cache). Every script that changes a node also refreshes the
 * node's entry in the candidates index the decision script reads.
 */
public final class RedisPlacementStore implements PlacementStore, AutoCloseable {

  private static final String PREFIX = PlacementKeys.PREFIX;
  private static final long ANNOUNCEMENTS_MAX_LENGTH = 10_000;

  private final StringRedisTemplate redis;
  private final RedisScript<List> place = script("place", List.class);
  private final RedisScript<Long> release = script("release", Long.class);
  private final RedisScript<List> evacuate = script("evacuate", List.class);
  private final RedisScript<List> reconcile = script("reconcile", List.class);
  private final RedisScript<String> health = script("health", String.class);
  private final RedisScript<Long> register = script("register", Long.class);
  private final RedisScript<Long> forget = script("forget", Long.class);
  private final RedisScript<String> drain = script("drain", String.class);
  private final RedisScript<Long> lease = script("lease", Long.class);
  private final RedisScript<List> nodes = script("nodes", List.class);

  private final PlaceScriptCommand placeCommand;

  public RedisPlacementStore(StringRedisTemplate redis) {
    this.redis = redis;
    this.placeCommand = PlaceScriptCommand.of(redis.getRequiredConnectionFactory(), place.getScriptAsString());
  }

  @Override
  public void close() {
    if (placeCommand != null) {
      placeCommand.close();
    }
  }

  /** A script from {@code resources/redis/}, with the shared prelude that maintains the candidates index. */
  private static <T> RedisScript<T> script(String name, Class<T> type) {
    String body;
    try {
      body = new ClassPathResource("redis/" + name + ".lua").getContentAsString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return RedisScript.of(PlacementScripts.withPrelude(body), type);
  }

  @Override
  public PlacementResult place(String roomId, int expectedEndpoints, Instant now, Duration staleAfter,
      NodeSelector selector, int[] draws) {
    String[] keys = {PlacementKeys.candidates(), PlacementKeys.room(roomId), PlacementKeys.candidateScores()};
    String[] args = {PREFIX, roomId, Integer.toString(expectedEndpoints), Long.toString(now.toEpochMilli()),
        Long.toString(staleAfter.toMillis()), selector.scriptName(), Integer.toString(draws[0]), Integer.toString(draws[1])};
    List<?> r = placeCommand != null
        ? placeCommand.run(keys, args)
        : redis.execute(place, List.of(keys), (Object[]) args);
    String outcome = String.valueOf(r.get(0));
    if (outcome.equals("full")) {
      return new PlacementResult.NoCapacity(asInt(r.get(1)), asInt(r.get(2)), asInt(r.get(3)), asInt(r.get(4)));
    }
    Placement placement = new Placement(roomId, String.valueOf(r.get(1)), String.valueOf(r.get(2)),
        Instant.ofEpochMilli(Long.parseLong(String.valueOf(r.get(3)))));
    return new PlacementResult.Placed(placement, outcome.equals("existing"));
  }

  @Override
  public Optional<Placement> find(String roomId) {
    List<Object> r = redis.opsForHash().multiGet(PlacementKeys.room(roomId), List.of("nodeId", "url", "placedAt"));
    if (r.get(0) == null) {
      return Optional.empty();
    }
    return Optional.of(new Placement(roomId, (String) r.get(0), (String) r.get(1),
        Instant.ofEpochMilli(Long.parseLong((String) r.get(2)))));
  }

  @Override
  public boolean release(String roomId) {
    Long r = redis.execute(release, List.of(PlacementKeys.room(roomId)), PREFIX, roomId);
    return r != null && r == 1L;
  }

  @Override
  public List<NodeLoad> nodes() {
    List<?> r = redis.execute(nodes, List.of(PlacementKeys.nodes()), PREFIX);
    List<NodeLoad> out = new ArrayList<>();
    for (Object entry : r) {
      List<?> e = (List<?>) entry;
      out.add(toNode(String.valueOf(e.get(0)), toMap((List<?>) e.get(1))));
    }
    return out;
  }

  @Override
  public boolean register(String nodeId, String url, int capacity) {
    Long r = redis.execute(register, List.of(PlacementKeys.nodes(), PlacementKeys.node(nodeId)),
        nodeId, url, Integer.toString(capacity), PREFIX);
    return r != null && r == 1L;
  }

  @Override
  public boolean forget(String nodeId) {
    Long r = redis.execute(forget, List.of(PlacementKeys.nodes(), PlacementKeys.node(nodeId),
        PlacementKeys.nodeRooms(nodeId)), nodeId, PREFIX);
    return r != null && r == 1L;
  }

  @Override
  public HealthOutcome recordHealth(String nodeId, Instant now, KmsReading reading, int failuresBeforeDown) {
    String r = reading == null
        ? redis.execute(health, List.of(PlacementKeys.node(nodeId)), "fail", Long.toString(now.toEpochMilli()),
            Integer.toString(failuresBeforeDown), "", "", "", PREFIX, nodeId)
        : redis.execute(health, List.of(PlacementKeys.node(nodeId)), "ok", Long.toString(now.toEpochMilli()),
            Integer.toString(failuresBeforeDown), Double.toString(reading.cpu()), Integer.toString(reading.endpoints()),
            Integer.toString(reading.pipelines()), PREFIX, nodeId);
    return HealthOutcome.valueOf(String.valueOf(r).toUpperCase(Locale.ROOT));
  }

  @Override
  public List<String> evacuate(String nodeId, NodeState newState, NodeAnnouncement.Type type, String reason, Instant now) {
    return evacuate(nodeId, newState, type, reason, now, "").orElse(List.of());
  }

  @Override
  public Optional<List<String>> evacuateIfDrainDue(String nodeId, Instant now) {
    return evacuate(nodeId, null, NodeAnnouncement.Type.NODE_DRAINED, "drain deadline passed", now, "drain-due");
  }

  private Optional<List<String>> evacuate(String nodeId, NodeState newState, NodeAnnouncement.Type type, String reason,
      Instant now, String condition) {
    List<?> r = redis.execute(evacuate, List.of(PlacementKeys.node(nodeId), PlacementKeys.nodeRooms(nodeId),
            PlacementKeys.announcements()),
        PREFIX, nodeId, newState == null ? "" : newState.name(), type.name(), reason,
        Long.toString(now.toEpochMilli()), Long.toString(ANNOUNCEMENTS_MAX_LENGTH), condition);
    if (asInt(r.get(0)) == 0) {
      return Optional.empty();
    }
    return Optional.of(r.subList(1, r.size()).stream().map(String::valueOf).toList());
  }

  @Override
  public Optional<NodeState> drain(String nodeId, Instant deadline) {
    return drainCommand(nodeId, "drain", deadline == null ? "" : Long.toString(deadline.toEpochMilli()));
  }

  @Override
  public Optional<NodeState> drainIfServing(String nodeId) {
    return drainCommand(nodeId, "drain-serving", "");
  }

  @Override
  public Optional<NodeState> undrain(String nodeId) {
    return drainCommand(nodeId, "undrain", "");
  }

  private Optional<NodeState> drainCommand(String nodeId, String command, String deadline) {
    String r = redis.execute(drain, List.of(PlacementKeys.node(nodeId)), command, deadline, PREFIX, nodeId);
    return "unknown".equals(r) ? Optional.empty() : Optional.of(NodeState.valueOf(r));
  }

  @Override
  public int reconcile(String nodeId, Instant now, Duration reservationTtl, int kmsEndpoints) {
    List<?> r = redis.execute(reconcile, List.of(PlacementKeys.node(nodeId), PlacementKeys.nodeRooms(nodeId)),
        PREFIX, Long.toString(now.toEpochMilli()), Long.toString(reservationTtl.toMillis()), Integer.toString(kmsEndpoints),
        nodeId);
    return asInt(r.get(1));
  }

  @Override
  public boolean acquireMonitorLease(String nodeId, String owner, Duration ttl) {
    Long r = redis.execute(lease, List.of(PlacementKeys.monitorLease(nodeId)), owner, Long.toString(ttl.toMillis()));
    return r != null && r == 1L;
  }

  private static NodeLoad toNode(String id, Map<String, String> node) {
    String deadline = node.get("drainDeadline");
    return new NodeLoad(
        id,
        node.getOrDefault("url", ""),
        NodeState.valueOf(node.getOrDefault("state", "DOWN")),
        integer(node, "capacity"),
        Instant.ofEpochMilli(longValue(node, "heartbeat")),
        node.containsKey("cpu") ? Double.parseDouble(node.get("cpu")) : 0.0,
        integer(node, "kmsEndpoints"),
        integer(node, "kmsPipelines"),
        integer(node, "endpoints"),
        integer(node, "reserved"),
        integer(node, "participants"),
        integer(node, "rooms"),
        integer(node, "failures"),
        deadline == null ? null : Instant.ofEpochMilli(Long.parseLong(deadline)));
  }

  private static Map<String, String> toMap(List<?> flat) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      map.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
    }
    return map;
  }

  private static int integer(Map<String, String> map, String key) {
    String v = map.get(key);
    return v == null || v.isEmpty() ? 0 : Integer.parseInt(v);
  }

  private static long longValue(Map<String, String> map, String key) {
    String v = map.get(key);
    return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
  }

  private static int asInt(Object o) {
    return o instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(o));
  }
}
