package io.switchboard.kms.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bare JSON-RPC WebSocket client, for what kurento-client cannot do: send malformed frames,
 * reuse ids, or vanish without closeSession.
 */
public final class RawKmsClient implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final WebSocket socket;
  private final BlockingQueue<String> responses = new LinkedBlockingQueue<>();
  private final List<JsonNode> events = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final AtomicInteger ids = new AtomicInteger();

  private RawKmsClient(String url) {
    Listener listener = new Listener();
    this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create(url), listener)
        .join();
  }

  public static RawKmsClient connect(String url) {
    return new RawKmsClient(url);
  }

  /** Request ids start after {@code lastId}: KMS replays its cached answer for a reused (session, id). */
  public static RawKmsClient connect(String url, int lastId) {
    RawKmsClient client = new RawKmsClient(url);
    client.ids.set(lastId);
    return client;
  }

  /** Sends a request with the next integer id and waits for its response. */
  public JsonNode call(String method, ObjectNode params) {
    ObjectNode request = MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", ids.incrementAndGet()).put("method", method);
    if (params != null) {
      request.set("params", params);
    }
    return sendAndReceive(request.toString());
  }

  public JsonNode sendAndReceive(String frame) {
    sendText(frame);
    return receive();
  }

  public void sendText(String frame) {
    socket.sendText(frame, true).join();
  }

  /** The next non-event frame, parsed; a timeout fails the test. */
  public JsonNode receive() {
    String text = receiveRaw();
    try {
      return text.isEmpty() ? MAPPER.nullNode() : MAPPER.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  public String receiveRaw() {
    try {
      String text = responses.poll(10, TimeUnit.SECONDS);
      if (text == null) {
        throw new AssertionError("no response within 10 s");
      }
      return text;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Nothing arrives within {@code millis}. */
  public boolean silentFor(long millis) throws InterruptedException {
    return responses.poll(millis, TimeUnit.MILLISECONDS) == null;
  }

  public List<JsonNode> events() {
    return events;
  }

  /** The close code the server closed with; 1006 when the connection dropped without one. */
  public CompletableFuture<Integer> closed() {
    return closed;
  }

  public static ObjectNode params() {
    return MAPPER.createObjectNode();
  }

  /** Vanishes without closeSession or a close frame, like a crashed signaling pod. */
  public void abort() {
    socket.abort();
  }

  @Override
  public void close() {
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        JsonNode node = null;
        try {
          node = text.isEmpty() ? null : MAPPER.readTree(text);
        } catch (Exception ignored) {
          // handed to the test as raw text
        }
        if (node != null && "onEvent".equals(node.path("method").asText())) {
          events.add(node.path("params").path("value"));
        } else {
          responses.add(text);
        }
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
