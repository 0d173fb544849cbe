package io.switchboard.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.WebSocket;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ServerHandshake;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A browser-like client of the gateway's {@code /groupcall}: any request header (Origin, Cookie,
 * X-Forwarded-For to stand for a distinct client address), subprotocols, and what a browser sees —
 * the handshake's Set-Cookie, messages, the close code and reason.
 */
final class GatewaySocket implements AutoCloseable {

  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger ADDRESSES = new AtomicInteger();

  /** The close code and reason, when the socket closed. */
  record Closed(int code, String reason) {}

  private final Client client;
  private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  final CompletableFuture<Closed> closed = new CompletableFuture<>();
  final AtomicInteger pings = new AtomicInteger();
  private volatile boolean answerPings = true;
  private volatile String setCookie;
  private volatile String protocol;

  /** A fresh client address (10.x.y.z) per call, so per-address limits of other tests do not interfere. */
  static String freshAddress() {
    int n = ADDRESSES.incrementAndGet();
    return "10." + ((n >> 16) & 0xff) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff);
  }

  static Builder to(String url) {
    return new Builder(url);
  }

  static final class Builder {
    private final String url;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final List<String> protocols = new ArrayList<>();

    Builder(String url) {
      this.url = url;
      headers.put("X-Forwarded-For", freshAddress());
    }

    Builder header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    Builder from(String address) {
      return header("X-Forwarded-For", address);
    }

    Builder protocols(String... names) {
      protocols.addAll(List.of(names));
      return this;
    }

    /** Connects; returns once open or closed (a refusal is accepted and closed at once). */
    GatewaySocket open() {
      return new GatewaySocket(url, headers, protocols);
    }
  }

  private GatewaySocket(String url, Map<String, String> headers, List<String> protocols) {
    List<IProtocol> offered = new ArrayList<>();
    protocols.forEach(p -> offered.add(new Protocol(p)));
    if (offered.isEmpty()) {
      offered.add(new Protocol(""));
    }
    client = new Client(URI.create(url), new Draft_6455(List.of(), offered), headers);
    try {
      if (!client.connectBlocking(10, TimeUnit.SECONDS)) {
        // Either never opened, or opened and already closed (a refusal is that quick): in the
        // latter case onClose has the code and reason.
        try {
          closed.get(2, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
          closed.complete(new Closed(-1, "not connected"));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String setCookie() {
    return setCookie;
  }

  /** The subprotocol the server accepted ("" for none). */
  String protocol() {
    return protocol;
  }

  /** The cookie pair ({@code SB_POD=…}) of the handshake's Set-Cookie, for the next connect. */
  String cookiePair() {
    return setCookie == null ? null : setCookie.split(";", 2)[0];
  }

  /**
   * What the socket answers to a {@code leaveRoom} before any join: the pod's {@code error}
   * {@code not-joined} when the socket reached a pod, or the gateway's refusal (which was sent
   * before the socket closed). Decides "admitted or refused" without timing.
   */
  JsonNode probe() {
    try {
      send(message("leaveRoom"));
    } catch (org.java_websocket.exceptions.WebsocketNotConnectedException e) {
      // refused and closed already: its error is queued
    }
    return next("error");
  }

  boolean admitted() {
    return probe().path("code").asString().equals("not-joined");
  }

  void answerPings(boolean answer) {
    answerPings = answer;
  }

  boolean isOpen() {
    return client.isOpen();
  }

  void send(String frame) {
    client.send(frame);
  }

  void send(ObjectNode message) {
    send(message.toString());
  }

  static ObjectNode message(String id) {
    return JSON.createObjectNode().put("id", id);
  }

  /** The next message with one of these ids (others received meanwhile are skipped). */
  JsonNode next(String... ids) {
    List<String> wanted = List.of(ids);
    List<JsonNode> skipped = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        JsonNode m = received.poll(100, TimeUnit.MILLISECONDS);
        if (m != null && wanted.contains(m.path("id").asString())) {
          return m;
        }
        if (m != null) {
          skipped.add(m);
        } else if (closed.isDone() && received.isEmpty()) {
          throw new AssertionError("closed (" + closed.join() + ") while waiting for " + wanted + "; got " + skipped);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("no " + wanted + " within 15 s; got " + skipped);
  }

  /** The close code and reason, waiting for them. */
  Closed awaitClose() {
    return closed.orTimeout(15, TimeUnit.SECONDS).join();
  }

  /** Joins and returns the session token. */
  String join(String name, String room) {
    send(message("joinRoom").put("name", name).put("room", room));
    next("existingParticipants");
    return next("session").path("token").asString();
  }

  static String offer(String name) {
    try (InputStream in = GatewaySocket.class.getResourceAsStream("/sdp/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      client.closeBlocking();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Client extends WebSocketClient {
    Client(URI uri, Draft_6455 draft, Map<String, String> headers) {
      super(uri, draft, headers, 10_000);
      setConnectionLostTimeout(0); // the test client never pings by itself
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
      setCookie = handshake.hasFieldValue("Set-Cookie") ? handshake.getFieldValue("Set-Cookie") : null;
      protocol = handshake.getFieldValue("Sec-WebSocket-Protocol");
    }

    @Override
    public void onMessage(String message) {
      received.add(JSON.readTree(message));
    }

    @Override
    public void onWebsocketPing(WebSocket conn, Framedata f) {
      pings.incrementAndGet();
      if (answerPings) {
        super.onWebsocketPing(conn, f);
      }
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
      closed.complete(new Closed(code, reason));
    }

    @Override
    public void onError(Exception e) {
      // the close that follows says what happened
    }
  }
}
