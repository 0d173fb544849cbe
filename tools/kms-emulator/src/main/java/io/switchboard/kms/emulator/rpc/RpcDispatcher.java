package io.switchboard.kms.emulator.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.switchboard.kms.emulator.model.MediaObject;
import io.switchboard.kms.emulator.model.MediaServer;
import io.switchboard.kms.emulator.model.Params;
import io.switchboard.kms.emulator.model.Peer;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KMS's JSON-RPC layer: envelope checks, session injection and binding, the 20 s request cache,
 * notifications, transactions, and the session/object methods (§1–3 of the protocol reference).
 */
public final class RpcDispatcher {

  /** What the transport does with one incoming frame. */
  public sealed interface Outcome {
    /** Send this text frame (possibly empty: KMS's reply to a notification with a null result). */
    record Reply(String text) implements Outcome {}

    /** Drop the TCP connection without a close frame, as KMS does for invalid JSON. */
    record Drop() implements Outcome {}
  }

  private static final Logger log = LoggerFactory.getLogger(RpcDispatcher.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String NOT_AN_OBJECT =
      "in Json::Value::find(begin, end): requires objectValue or nullValue";

  private final MediaServer server;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final long cacheTtlMillis;
  private final Map<String, CachedResponse> cache = new LinkedHashMap<>();

  private record CachedResponse(String text, long at) {}

  public RpcDispatcher(MediaServer server, ObjectMapper mapper, Clock clock) {
    this.server = server;
    this.mapper = mapper;
    this.clock = clock;
    this.cacheTtlMillis = server.config().requestCacheTtl().toMillis();
  }

  public Outcome handle(String text, Peer peer) {
    JsonNode message;
    try {
      message = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      return new Outcome.Drop();
    }
    if (message == null || message.isMissingNode()) {
      return new Outcome.Drop();
    }
    String socketSession = server.sessionOf(peer);
    if (message.isArray()) {
      return socketSession != null ? new Outcome.Drop() : reply(error(NullNode.getInstance(), KmsException.invalidRequest()));
    }
    if (!(message instanceof ObjectNode request)) {
      return reply(error(NullNode.getInstance(), KmsException.invalidRequest()));
    }
    JsonNode id = request.get("id");
    JsonNode jsonrpc = request.get("jsonrpc");
    JsonNode method = request.get("method");
    if (jsonrpc == null || !jsonrpc.asText().equals("2.0") || !jsonrpc.isTextual()
        || method == null || !method.isTextual() || (id != null && id.isContainerNode())) {
      return reply(error(NullNode.getInstance(), KmsException.invalidRequest()));
    }
    boolean notification = id == null || id.isNull();
    JsonNode replyId = notification ? NullNode.getInstance() : id;
    JsonNode rawParams = request.get("params");
    if (rawParams != null && !rawParams.isNull() && !rawParams.isObject()) {
      return socketSession != null ? new Outcome.Drop() : reply(error(replyId, KmsException.unexpected(NOT_AN_OBJECT)));
    }
    ObjectNode params = rawParams instanceof ObjectNode o ? o.deepCopy() : null;
    if (socketSession != null && (params == null || !params.has("sessionId"))) {
      params = params == null ? JSON.objectNode() : params;
      params.put("sessionId", socketSession);
    }

    long started = System.nanoTime();
    String cacheKey = cacheKey(params, id, notification);
    if (cacheKey != null) {
      String cached = cached(cacheKey);
      if (cached != null) {
        log.debug("rpc {} id={} answered from the request cache", method.asText(), id);
        return reply(cached);
      }
    }
    String response;
    Call call = new Call(peer, params);
    try {
      ObjectNode result = execute(method.asText(), call);
      if (call.session != null) {
        server.bind(call.session, peer);
      }
      if (notification) {
        return result == null
            ? reply("")
            : reply(error(NullNode.getInstance(), KmsException.withData(-32000,
                "Ignoring response because of a notification request", result)));
      }
      response = success(id, result);
    } catch (KmsException e) {
      response = error(replyId, e);
    } catch (RuntimeException e) {
      // An emulator bug must still answer, or the client waits for ever.
      log.warn("rpc {} failed unexpectedly", method.asText(), e);
      response = error(replyId, KmsException.unexpected(e.toString()));
    }
    if (cacheKey != null) {
      remember(cacheKey, response);
    }
    if (log.isDebugEnabled()) {
      log.debug("rpc {} {} session={} -> {} in {} µs", method.asText(), describe(params), call.session,
          response.length() > 200 ? response.substring(0, 200) + "…" : response, (System.nanoTime() - started) / 1000);
    }
    return reply(response);
  }

  /** The request being handled: its params and the session it runs in (null until known). */
  private static final class Call {
    final Peer peer;
    final ObjectNode params;
    String session;

    Call(Peer peer, ObjectNode params) {
      this.peer = peer;
      this.params = params;
      JsonNode s = params == null ? null : params.get("sessionId");
      this.session = s != null && s.isTextual() ? s.asText() : null;
    }

    /** A session for a method that needs one: the request's, or a new one (§2). */
    String needSession() {
      if (session == null) {
        session = UUID.randomUUID().toString();
      }
      return session;
    }
  }

  private ObjectNode execute(String method, Call call) {
    ObjectNode p = call.params;
    if (p != null && p.has("sessionId") && !p.get("sessionId").isTextual()) {
      throw KmsException.topLevelType("sessionId", "a string");
    }
    switch (method) {
      case "ping" -> {
        ObjectNode r = JSON.objectNode().put("value", "pong");
        return withSession(r, call.session);
      }
      case "connect" -> {
        if (call.session == null) {
          call.session = UUID.randomUUID().toString();
        } else if (!server.isRegistered(call.session)) {
          throw KmsException.invalidSession();
        }
        return JSON.objectNode().put("serverId", server.serverId()).put("sessionId", call.session);
      }
      case "create" -> {
        requireParams(p);
        String type = topString(p, "type");
        String session = call.needSession();
        String created = server.create(session, type, Params.of(p.get("constructorParams"), "constructorParams"));
        return value(session, TextNode.valueOf(created));
      }
      case "invoke" -> {
        requireParams(p);
        String operation = topString(p, "operation");
        String objectId = topString(p, "object");
        String session = call.needSession();
        MediaObject object = server.findAndAttach(session, objectId);
        Params operationParams = Params.of(p.get("operationParams"), "operationParams");
        sleep(object.blockingMillis(operation, operationParams));
        JsonNode result;
        synchronized (server) {
          result = object.alive() ? object.invoke(operation, operationParams) : null;
        }
        if (result == null) {
          throw KmsException.objectNotFound(object.id());
        }
        return value(session, result);
      }
      case "subscribe" -> {
        requireParams(p);
        String type = topString(p, "type");
        String objectId = topString(p, "object");
        String session = call.needSession();
        return value(session, TextNode.valueOf(server.findAndSubscribe(session, objectId, type)));
      }
      case "unsubscribe" -> {
        requireParams(p);
        server.unsubscribe(topString(p, "subscription"));
        return withSession(JSON.objectNode(), call.needSession());
      }
      case "release" -> {
        requireParams(p);
        server.release(topString(p, "object"));
        return withSession(JSON.objectNode(), call.needSession());
      }
      case "describe" -> {
        requireParams(p);
        String objectId = topString(p, "object");
        String session = call.needSession();
        MediaObject object = server.findAndAttach(session, objectId);
        ObjectNode r = JSON.objectNode().put("sessionId", session).put("type", object.type())
            .put("qualifiedType", "kurento." + object.type());
        ArrayNode hierarchy = r.putArray("hierarchy");
        server.locked(object::superclasses).forEach(hierarchy::add);
        return r;
      }
      case "ref" -> {
        requireParams(p);
        String session = requireSession(call);
        server.findAndAttach(session, topString(p, "object"));
        return withSession(JSON.objectNode(), session);
      }
      case "unref" -> {
        requireParams(p);
        String session = requireSession(call);
        server.unref(session, topString(p, "object"));
        return withSession(JSON.objectNode(), session);
      }
      case "keepAlive" -> {
        requireParams(p);
        String session = requireSession(call);
        if (!server.isRegistered(session)) {
          throw KmsException.invalidSession();
        }
        server.markActive(session);
        return withSession(JSON.objectNode(), session);
      }
      case "closeSession" -> {
        requireParams(p);
        String session = requireSession(call);
        JsonNode release = p.get("release");
        server.closeSession(session, release != null && release.asBoolean(false));
        // The socket stays bound to the now unknown id; nothing is rebound.
        call.session = null;
        return null;
      }
      case "transaction" -> {
        requireParams(p);
        return transaction(call);
      }
      default -> throw KmsException.methodNotFound();
    }
  }

  private ObjectNode transaction(Call call) {
    JsonNode operations = call.params.get("operations");
    if (operations == null || operations.isNull()) {
      throw KmsException.topLevelRequired("operations");
    }
    if (!operations.isArray()) {
      throw KmsException.topLevelType("operations", "an array");
    }
    for (int i = 0; i < operations.size(); i++) {
      JsonNode opId = operations.get(i).get("id");
      if (opId == null || !opId.isIntegralNumber() || opId.asInt() != i) {
        // KMS names the first operation whatever the offending one was.
        throw KmsException.malformedTransaction("Id of request '0' should be '0'");
      }
    }
    String session = call.needSession();
    ArrayNode results = JSON.arrayNode();
    Map<String, JsonNode> created = new LinkedHashMap<>();
    for (int i = 0; i < operations.size(); i++) {
      JsonNode op = operations.get(i);
      ObjectNode opParams = op.get("params") instanceof ObjectNode o ? o.deepCopy() : JSON.objectNode();
      replaceNewrefs(opParams, created);
      opParams.put("sessionId", session);
      Call inner = new Call(call.peer, opParams);
      try {
        ObjectNode result = execute(op.path("method").asText(), inner);
        results.add(JSON.objectNode().put("id", i).put("jsonrpc", "2.0").set("result", result));
        if (result != null && result.has("value")) {
          created.put("newref:" + i, result.get("value"));
        }
      } catch (KmsException e) {
        results.add(errorNode(JSON.numberNode(i), e));
        break;
      }
    }
    return value(session, results);
  }

  private static void replaceNewrefs(ObjectNode node, Map<String, JsonNode> created) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode v = f.getValue();
      if (v.isTextual() && created.containsKey(v.asText())) {
        f.setValue(created.get(v.asText()));
      } else if (v instanceof ObjectNode child) {
        replaceNewrefs(child, created);
      }
    }
  }

  private static void requireParams(ObjectNode p) {
    if (p == null) {
      throw KmsException.paramsRequired();
    }
  }

  private static String requireSession(Call call) {
    if (call.session == null) {
      throw KmsException.topLevelRequired("sessionId");
    }
    return call.session;
  }

  private static String topString(ObjectNode p, String name) {
    JsonNode v = p.get(name);
    if (v == null || v.isNull()) {
      throw KmsException.topLevelRequired(name);
    }
    if (!v.isTextual()) {
      throw KmsException.topLevelType(name, "a string");
    }
    return v.asText();
  }

  private static ObjectNode value(String session, JsonNode value) {
    ObjectNode r = JSON.objectNode().put("sessionId", session);
    r.set("value", value);
    return r;
  }

  private static ObjectNode withSession(ObjectNode r, String session) {
    if (session != null) {
      r.put("sessionId", session);
    }
    return r;
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- request cache (§1)

  private String cacheKey(ObjectNode params, JsonNode id, boolean notification) {
    if (cacheTtlMillis <= 0 || notification || params == null || !params.path("sessionId").isTextual()) {
      return null;
    }
    return params.get("sessionId").asText() + '\u0000' + id.toString();
  }

  private synchronized String cached(String key) {
    long now = clock.millis();
    // Oldest first (insertion order, and a key is only put again after it expired): stop at the
    // first that is still fresh, so a request costs the same with 20,000 cached as with 20.
    for (var it = cache.values().iterator(); it.hasNext(); ) {
      if (now - it.next().at() <= cacheTtlMillis) {
        break;
      }
      it.remove();
    }
    CachedResponse c = cache.get(key);
    return c == null ? null : c.text();
  }

  private synchronized void remember(String key, String response) {
    cache.put(key, new CachedResponse(response, clock.millis()));
  }

  // ---------------------------------------------------------------- frames

  private String success(JsonNode id, ObjectNode result) {
    ObjectNode r = JSON.objectNode();
    r.set("id", id);
    r.put("jsonrpc", "2.0");
    r.set("result", result == null ? NullNode.getInstance() : result);
    return write(r);
  }

  private String error(JsonNode id, KmsException e) {
    return write(errorNode(id, e));
  }

  private static ObjectNode errorNode(JsonNode id, KmsException e) {
    ObjectNode r = JSON.objectNode();
    ObjectNode err = r.putObject("error").put("code", e.code()).put("message", e.getMessage());
    if (e.data() != null) {
      err.set("data", e.data());
    } else if (e.type() != null) {
      err.putObject("data").put("type", e.type());
    }
    r.set("id", id);
    r.put("jsonrpc", "2.0");
    return r;
  }

  private String write(JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Outcome reply(String text) {
    return new Outcome.Reply(text);
  }

  private static String describe(ObjectNode params) {
    if (params == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (String key : new String[] {"type", "object", "operation"}) {
      if (params.has(key)) {
        sb.append(key).append('=').append(params.get(key).asText()).append(' ');
      }
    }
    return sb.toString().trim();
  }
}
