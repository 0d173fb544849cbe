package io.switchboard.signaling;

import com.sun.net.httpserver.HttpServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.switchboard.placement.contract.PlacementKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A stand-in for the placement service's HTTP contract (docs/placement.md): every room goes to
 * one KMS node (kms-0 unless {@link #placeOn} says otherwise). Like the real service, a placement is a room hash in Redis that signaling's load
 * reports update, deleted when the placement is released. It also records the calls it got.
 */
final class PlacementStub implements AutoCloseable {

  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final RedisClient redisClient;
  private final StatefulRedisConnection<String, String> redis;
  private final HttpServer server;
  private volatile String nodeId = "kms-0";
  private volatile Supplier<String> kmsUrl;

  PlacementStub(String redisUrl, Supplier<String> kmsUrl) {
    this.kmsUrl = kmsUrl;
    redisClient = RedisClient.create(redisUrl);
    redis = redisClient.connect();
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/v1/rooms/", exchange -> {
      calls.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
      String room = exchange.getRequestURI().getPath().split("/")[3];
      boolean put = exchange.getRequestMethod().equals("PUT");
      if (exchange.getRequestMethod().equals("GET")) {
        // As the real service: a read, 404 not-placed for a room without a placement (this stub
        // reads nothing: a pod asks only ahead of turning ready, for a room that cannot exist).
        byte[] problem = "{\"code\":\"not-placed\"}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
        exchange.sendResponseHeaders(404, problem.length);
        exchange.getResponseBody().write(problem);
        exchange.close();
        return;
      }
      if (put) {
        redis.sync().hsetnx(PlacementKeys.room(room), "nodeId", nodeId);
      } else {
        redis.sync().del(PlacementKeys.room(room));
      }
      byte[] body = put
          ? ("{\"roomId\":\"" + room + "\",\"nodeId\":\"" + nodeId + "\",\"kmsUrl\":\"" + this.kmsUrl.get()
              + "\",\"placedAt\":\"2026-11-21T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8)
          : new byte[0];
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(body.length == 0 ? 204 : 200, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        exchange.getResponseBody().write(body);
      }
      exchange.close();
    });
    server.start();
  }

  /** Rooms placed from now on go to this node. */
  void placeOn(String nodeId, String kmsUrl) {
    this.nodeId = nodeId;
    this.kmsUrl = () -> kmsUrl;
  }

  /**
   * What placement does when a node is lost: removes the rooms' placements and appends an entry
   * to the announcement stream (docs/placement.md).
   */
  void announce(String type, String nodeId, List<String> rooms, String reason) {
    rooms.forEach(room -> redis.sync().del(PlacementKeys.room(room)));
    redis.sync().xadd(PlacementKeys.announcements(), Map.of("type", type, "nodeId", nodeId,
        "rooms", String.join(",", rooms), "reason", reason, "at", Long.toString(System.currentTimeMillis())));
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** {@code "PUT /v1/rooms/<room>/placement"} and {@code "DELETE …"}, in order. */
  List<String> calls() {
    return calls;
  }

  /** The room's placement hash as signaling's load reports left it. */
  Map<String, String> room(String roomId) {
    return redis.sync().hgetall(PlacementKeys.room(roomId));
  }

  /** A plain connection to the same Redis, for looking at signaling's keys. */
  io.lettuce.core.api.sync.RedisCommands<String, String> redis() {
    return redis.sync();
  }

  @Override
  public void close() {
    server.stop(0);
    redis.close();
    redisClient.shutdown();
  }
}
