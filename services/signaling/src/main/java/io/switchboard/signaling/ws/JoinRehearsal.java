package io.switchboard.signaling.ws;

import io.switchboard.signaling.domain.GroupCallService;
import io.switchboard.signaling.domain.RehearsalCalls;
import io.switchboard.signaling.domain.RoomIds;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A group call's first minutes rehearsed before a pod turns ready: sockets opened to the pod's own
 * port over loopback join a few rooms all at once, as a meeting on the hour does, and negotiate as
 * the tutorial's browser does — each publishes (an offer to itself) and receives everyone it
 * hears of (existingParticipants, newParticipantArrived), every offer followed by a candidate —
 * then leave. So the JIT has compiled the join, negotiation and leave paths (Redis scripts, room
 * events, KMS calls, the replies) before the first real burst, which otherwise runs them
 * interpreted (a pod's first burst cost half again the CPU of its next).
 *
 * <p>The sockets show the rehearsal's one-time key ({@link SocketRehearsal#HEADER}) and join through
 * {@link RehearsalCalls}, which nothing outside the pod hears of; rooms are named by {@link
 * RehearsalCalls#roomName} with a random run. Best effort: what fails or is not answered within
 * {@link #TIMEOUT} is logged, the sockets leave and close, and the pod turns ready anyway.
 */
public final class JoinRehearsal {

  static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Logger log = LoggerFactory.getLogger(JoinRehearsal.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Map<String, Object> CANDIDATE = Map.of(
      "candidate", "candidate:445512934 1 udp 2122194687 192.0.2.2 53056 typ host generation 0",
      "sdpMid", "0", "sdpMLineIndex", 0);

  private JoinRehearsal() {}

  /**
   * What came of it: participants that joined, streams answered out of those expected (each
   * participant's own and everyone else's in its room), and the room ids used.
   */
  public record Outcome(int joined, long answered, long expected, List<String> roomIds) {}

  /**
   * {@code rooms} rooms of {@code perRoom} participants join through {@code calls} over sockets to
   * {@code uri} (this pod's own /groupcall), negotiate every stream, leave and close.
   */
  public static Outcome rehearse(GroupCallSocketHandler handler, GroupCallService calls, URI uri, int rooms,
      int perRoom, String offer) {
    long started = System.nanoTime();
    long deadline = started + TIMEOUT.toNanos();
    String run = UUID.randomUUID().toString().replace("-", "");
    long expected = (long) rooms * perRoom * perRoom;
    CountDownLatch answers = new CountDownLatch((int) expected);
    AtomicInteger joined = new AtomicInteger();
    List<String> roomIds = new ArrayList<>();
    List<Member> members = new ArrayList<>();
    String key = handler.openRehearsal(calls);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      for (int r = 0; r < rooms; r++) {
        String room = RehearsalCalls.roomName(run, r);
        roomIds.add(RoomIds.of(room));
        for (int p = 0; p < perRoom; p++) {
          members.add(new Member("p" + p, room, offer, answers, joined));
        }
      }
      List<CompletableFuture<WebSocket>> connecting = new ArrayList<>();
      for (Member m : members) {
        // Each member holds its socket as soon as it opens, so the end below closes every one
        // that opened, even when another failed to (or opens only after the end: closed at once).
        connecting.add(http.newWebSocketBuilder().header(SocketRehearsal.HEADER, key).buildAsync(uri, m)
            .thenApply(m::opened));
      }
      for (CompletableFuture<WebSocket> one : connecting) {
        one.get(remaining(deadline), TimeUnit.NANOSECONDS);
      }
      members.forEach(Member::join);
      answers.await(remaining(deadline), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("join rehearsal cut short: {}", e.toString());
    } finally {
      members.forEach(Member::leave);
      // Each leave is handled before its socket's close; the rehearsal is over once every one closed.
      long closeBy = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (handler.openRehearsalSockets() > 0 && System.nanoTime() < closeBy) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      handler.closeRehearsal();
      members.forEach(Member::abort); // what has not closed by now (the pod's side is closed, or closes so)
    }
    Outcome outcome = new Outcome(joined.get(), expected - answers.getCount(), expected, List.copyOf(roomIds));
    log.info("joins rehearsed: {} rooms of {}, {} joined, {} of {} streams answered, in {} ms", rooms, perRoom,
        outcome.joined(), outcome.answered(), outcome.expected(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return outcome;
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  /** One rehearsal participant: its socket's listener, and what it sends. */
  private static final class Member implements WebSocket.Listener {
    private final String name;
    private final String room;
    private final String offer;
    private final CountDownLatch answers;
    private final AtomicInteger joined;
    private final StringBuilder piece = new StringBuilder();
    /** Senders offered to, and those answered: touched on the listener's thread only. */
    private final Set<String> offered = new HashSet<>();
    private final Set<String> answered = new HashSet<>();
    private WebSocket socket;
    /** Sends one after another, as the socket requires. */
    private CompletableFuture<WebSocket> sending;
    /** True once the rehearsal ended for this member: a socket opening later is closed at once. */
    private boolean over;

    Member(String name, String room, String offer, CountDownLatch answers, AtomicInteger joined) {
      this.name = name;
      this.room = room;
      this.offer = offer;
      this.answers = answers;
      this.joined = joined;
    }

    synchronized WebSocket opened(WebSocket socket) {
      this.socket = socket;
      if (over) {
        socket.abort();
      } else {
        sending = CompletableFuture.completedFuture(socket);
      }
      return socket;
    }

    synchronized void abort() {
      over = true;
      if (socket != null) {
        socket.abort();
      }
    }

    void join() {
      send(Map.of("id", "joinRoom", "name", name, "room", room));
    }

    void leave() {
      CompletableFuture<WebSocket> last;
      synchronized (this) {
        if (sending == null) {
          return;
        }
        send(Map.of("id", "leaveRoom"));
        last = sending = sending.thenCompose(s -> s.sendClose(WebSocket.NORMAL_CLOSURE, "rehearsed"));
      }
      last.exceptionally(e -> null);
    }

    private synchronized void send(Map<String, Object> message) {
      String frame = JSON.writeValueAsString(message);
      sending = sending.thenCompose(s -> s.sendText(frame, true));
    }

    private void offerTo(String sender) {
      if (offered.add(sender)) {
        send(Map.of("id", "receiveVideoFrom", "sender", sender, "sdpOffer", offer));
        send(Map.of("id", "onIceCandidate", "name", sender, "candidate", CANDIDATE));
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      piece.append(data);
      if (last) {
        String text = piece.toString();
        piece.setLength(0);
        try {
          received(JSON.readTree(text));
        } catch (RuntimeException e) {
          log.debug("join rehearsal: a reply not understood: {}", e.toString());
        }
      }
      socket.request(1);
      return null;
    }

    private void received(JsonNode m) {
      switch (m.path("id").asString("")) {
        case "existingParticipants" -> {
          joined.incrementAndGet();
          offerTo(name);
          m.path("data").forEach(other -> offerTo(other.asString()));
        }
        case "newParticipantArrived" -> offerTo(m.path("name").asString());
        case "receiveVideoAnswer" -> {
          String sender = m.path("name").asString();
          if ("webcam".equals(m.path("stream").asString("webcam")) && offered.contains(sender)
              && answered.add(sender)) {
            answers.countDown();
          }
        }
        case "error" -> log.debug("join rehearsal: {} in {} refused: {}", name, room, m);
        default -> { } // candidates, sessions and the rest
      }
    }
  }
}
