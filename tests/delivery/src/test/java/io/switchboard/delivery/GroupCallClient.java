package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One participant of a group call, speaking the browser protocol at {@code /groupcall} the way the
 * Kurento tutorial's client does, with Chromium's own SDP offers: join, publish one's camera,
 * receive another's.
 */
final class GroupCallClient implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final String name;
  private final WebSocket socket;
  private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  /** Completes with the close code when the socket closes (or 1006 when it breaks). */
  final java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();

  /** Opens {@code url} (ws://…/groupcall, with an access_token when the gateway is secure). */
  GroupCallClient(String url, String name) {
    this.name = name;
    this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create(url), new Listener()).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** joinRoom, answered by existingParticipants (whose names it returns). */
  List<String> join(String room) {
    send(JSON.createObjectNode().put("id", "joinRoom").put("name", name).put("room", room));
    List<String> names = new ArrayList<>();
    next("existingParticipants").path("data").forEach(n -> names.add(n.asText()));
    return names;
  }

  /**
   * joinRoom, answered by {@code existingParticipants}, or by {@code reconnect} (a stopping pod:
   * the client must try again on a new socket) or {@code error}: that answer; {@code {"id":
   * "closed"}} when the socket closed before any of them (a stopping pod closes the sockets it told
   * to reconnect), which a client also meets with a new socket.
   */
  JsonNode tryJoin(String room) {
    JsonNode answer = sendUnlessClosed(JSON.createObjectNode().put("id", "joinRoom").put("name", name).put("room", room))
        ? nextOrClosed("existingParticipants", "reconnect", "error") : null;
    return answer != null ? answer : JSON.createObjectNode().put("id", "closed").put("code", closed.join());
  }

  /** Sends one's camera (Chromium's sendonly offer): KMS's answer, then its first candidate. */
  void publish() {
    receive(name, "01-sendonly-audio-video.offer.chromium.sdp");
  }

  /** Receives {@code sender} (Chromium's recvonly offer): KMS's answer, then its first candidate. */
  void subscribe(String sender) {
    receive(sender, "02-recvonly-audio-video.offer.chromium.sdp");
  }

  private void receive(String sender, String offer) {
    send(JSON.createObjectNode().put("id", "receiveVideoFrom").put("sender", sender).put("sdpOffer", sdp(offer)));
    JsonNode answer = next("receiveVideoAnswer");
    assertThat(answer.path("name").asText()).isEqualTo(sender);
    assertThat(answer.path("sdpAnswer").asText()).startsWith("v=0");
    while (!next("iceCandidate").path("name").asText().equals(sender)) {
      // another endpoint's candidates, still trickling
    }
  }

  void leave() {
    send(JSON.createObjectNode().put("id", "leaveRoom"));
  }

  /** The session token the last join or resume handed out (its {@code session} message). */
  String token() {
    return next("session").path("token").asText();
  }

  /**
   * Resumes a session on this (new) socket: its new token, or null when the server answered an
   * {@code error} (e.g. {@code unavailable}: a client retries on a new socket).
   */
  String resume(String token) {
    // The gateway may have answered this socket already — an error, then a close, when the pod it
    // chose cannot be reached — before the resume goes out: as a browser does, the caller retries.
    if (!sendUnlessClosed(JSON.createObjectNode().put("id", "resume").put("token", token))) {
      return null;
    }
    JsonNode answer = nextOrClosed("resumed", "error");
    if (answer == null || answer.path("id").asText().equals("error")) {
      return null;
    }
    assertThat(answer.path("name").asText()).isEqualTo(name);
    return token();
  }

  /** The next message with this id; others received meanwhile are kept, in order. */
  JsonNode next(String id) {
    return nextOf(id);
  }

  /** The next message with one of these ids; others received meanwhile are kept, in order. */
  JsonNode nextOf(String... ids) {
    JsonNode m = nextOrClosed(ids);
    if (m == null) {
      throw new AssertionError(name + "'s socket closed (" + closed.join() + ") before " + String.join(" or ", ids));
    }
    return m;
  }

  /**
   * The next message with one of these ids, or null when the socket closed before one came (a
   * listener hears every message before the close, so none can follow it); others received
   * meanwhile are kept, in order.
   */
  private JsonNode nextOrClosed(String... ids) {
    List<String> wanted = List.of(ids);
    String id = String.join(" or ", ids);
    List<JsonNode> skipped = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        JsonNode m = received.poll(100, TimeUnit.MILLISECONDS);
        if (m != null && wanted.contains(m.path("id").asText())) {
          received.addAll(skipped);
          return m;
        }
        if (m != null) {
          skipped.add(m);
        } else if (closed.isDone() && received.isEmpty()) {
          received.addAll(skipped);
          return null;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError(name + " got no " + id + " within " + WAIT + "; received " + skipped);
  }

  private void send(ObjectNode message) {
    socket.sendText(message.toString(), true).join();
  }

  /** Sends this; false when the server closed the socket first (its output then refuses). */
  private boolean sendUnlessClosed(ObjectNode message) {
    try {
      send(message);
      return true;
    } catch (java.util.concurrent.CompletionException e) {
      try {
        closed.get(5, TimeUnit.SECONDS); // the close that refused the send, heard by the listener
        return false;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException x) {
        throw e;
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        throw e;
      }
    }
  }

  private static String sdp(String file) {
    try (InputStream in = GroupCallClient.class.getResourceAsStream("/sdp/" + file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          received.add(JSON.readTree(partial.toString()));
        } catch (IOException e) {
          throw new UncheckedIOException("the server sent something that is not JSON: " + partial, e);
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
