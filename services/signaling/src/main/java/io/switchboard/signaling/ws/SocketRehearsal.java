package io.switchboard.signaling.ws;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The socket path rehearsed before a pod turns ready: sockets opened to the pod's own port over
 * loopback, each sending what a browser sends first — an offer with a browser's SDP, then a
 * candidate — before it has joined, refused with {@code not-joined} as a browser's would be. So
 * the JIT has compiled Tomcat's upgrade and frames, the handler, the codec and the replies before
 * the pod's first burst (a pod's first burst was 1.4–1.7× slower than its next without it).
 *
 * <p>The sockets show a one-time key ({@link #HEADER}; {@link GroupCallSocketHandler#openRehearsal}):
 * they need no identity, count in no meter, may not join or resume, and the key opens nothing once
 * the rehearsal is over. The rehearsal is best effort: what fails or is not answered within
 * {@link #TIMEOUT} is logged, and the pod turns ready anyway.
 */
public final class SocketRehearsal {

  /** The header a rehearsal socket shows its key in. */
  public static final String HEADER = "X-Switchboard-Rehearsal";
  /** Messages each socket sends: this many offers, each followed by a candidate. */
  static final int ROUNDS = 20;
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(SocketRehearsal.class);

  private SocketRehearsal() {}

  /** What came of a rehearsal: sockets opened, replies received out of those expected. */
  public record Outcome(int opened, long answered, long expected) {}

  /**
   * Opens {@code sockets} sockets to {@code uri} (this pod's own /groupcall), sends each
   * {@link #ROUNDS} offers and candidates, waits for their replies, closes them.
   */
  public static Outcome rehearse(GroupCallSocketHandler handler, URI uri, int sockets, String offer) {
    JsonMapper json = JsonMapper.builder().build();
    String offerFrame = json.writeValueAsString(Map.of("id", "receiveVideoFrom", "sender", "rehearsal",
        "sdpOffer", offer));
    String candidateFrame = json.writeValueAsString(Map.of("id", "onIceCandidate", "name", "rehearsal",
        "candidate", Map.of("candidate", "candidate:445512934 1 udp 2122194687 192.0.2.2 53056 typ host generation 0",
            "sdpMid", "0", "sdpMLineIndex", 0)));
    long expected = (long) sockets * ROUNDS * 2;
    CountDownLatch replies = new CountDownLatch((int) expected);
    long started = System.nanoTime();
    long deadline = started + TIMEOUT.toNanos();
    List<WebSocket> open = new ArrayList<>();
    String key = handler.openRehearsal();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      List<CompletableFuture<WebSocket>> connecting = new ArrayList<>();
      for (int i = 0; i < sockets; i++) {
        connecting.add(http.newWebSocketBuilder().header(HEADER, key).buildAsync(uri, new Counting(replies)));
      }
      List<CompletableFuture<WebSocket>> sending = new ArrayList<>();
      for (CompletableFuture<WebSocket> c : connecting) {
        WebSocket socket = c.get(remaining(deadline), TimeUnit.NANOSECONDS);
        open.add(socket);
        CompletableFuture<WebSocket> sent = CompletableFuture.completedFuture(socket);
        for (int r = 0; r < ROUNDS; r++) {
          sent = sent.thenCompose(s -> s.sendText(offerFrame, true)).thenCompose(s -> s.sendText(candidateFrame, true));
        }
        sending.add(sent);
      }
      CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).get(remaining(deadline), TimeUnit.NANOSECONDS);
      replies.await(remaining(deadline), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("socket rehearsal cut short: {}", e.toString());
    } finally {
      handler.closeRehearsal();
      open.forEach(s -> s.sendClose(WebSocket.NORMAL_CLOSURE, "rehearsed").exceptionally(e -> null));
    }
    Outcome outcome = new Outcome(open.size(), expected - replies.getCount(), expected);
    log.info("socket path rehearsed: {} sockets, {} of {} messages answered, in {} ms", outcome.opened(),
        outcome.answered(), outcome.expected(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return outcome;
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  /** Counts each whole message the pod sends back. */
  private record Counting(CountDownLatch replies) implements WebSocket.Listener {
    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      if (last) {
        replies.countDown();
      }
      socket.request(1);
      return null;
    }
  }
}
