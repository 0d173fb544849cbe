package io.switchboard.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** What a browser's group-call client does on the socket, for tests. */
final class BrowserSocket implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  private final WebSocket socket;
  private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();

  BrowserSocket(String url) {
    this(url, java.util.Map.of());
  }

  /** With these request headers (e.g. the identity headers the gateway sets). */
  BrowserSocket(String url, java.util.Map<String, String> headers) {
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    headers.forEach(builder::header);
    socket = builder.buildAsync(URI.create(url), new Listener()).join();
  }

  void send(String frame) {
    socket.sendText(frame, true).join();
  }

  void send(ObjectNode message) {
    send(message.toString());
  }

  static ObjectNode message(String id) {
    return JSON.createObjectNode().put("id", id);
  }

  /** The next message with this id (others received meanwhile are kept in order). */
  JsonNode next(String id) {
    return nextOf(id);
  }

  /** The next message with one of these ids (others received meanwhile are kept in order). */
  JsonNode nextOf(String... ids) {
    List<String> wanted = List.of(ids);
    List<JsonNode> skipped = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        JsonNode m = received.poll(100, TimeUnit.MILLISECONDS);
        if (m == null) {
          continue;
        }
        if (wanted.contains(m.path("id").asText())) {
          received.addAll(skipped);
          return m;
        }
        skipped.add(m);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("no " + wanted + " within 10 s; received " + skipped);
  }

  /** Everything received so far with this id, without waiting. */
  List<JsonNode> drain(String id) {
    List<JsonNode> all = new ArrayList<>();
    received.drainTo(all);
    List<JsonNode> matching = new ArrayList<>();
    for (JsonNode m : all) {
      (m.path("id").asText().equals(id) ? matching : new ArrayList<JsonNode>()).add(m);
    }
    all.removeAll(matching);
    received.addAll(all);
    return matching;
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    try {
      closed.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      socket.abort();
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          received.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException("server sent non-JSON: " + partial, e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(1006);
    }
  }
}
