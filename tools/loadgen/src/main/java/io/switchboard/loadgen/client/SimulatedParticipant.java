package io.switchboard.loadgen.client;

import io.switchboard.groupcall.protocol.IceCandidate;
import java.net.URI;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One participant of a group call, doing what the Kurento tutorial's browser client does: join,
 * publish its camera (receiveVideoFrom itself), receive everyone it learns of (existingParticipants,
 * newParticipantArrived) with an offer of its own, trickle candidates after each offer. A stream
 * is settled when its receiveVideoAnswer arrives. Beyond the tutorial it does what a Switchboard
 * client should: keep its session token, and when its socket drops (or the pod says
 * {@code reconnect}) open a new one, to the next URL, and {@code resume}.
 *
 * <p>Its state is guarded by its own monitor; its sockets' listeners run on the connector's pool.
 */
public final class SimulatedParticipant {

  public enum Phase {
    NEW, CONNECTING,
    /** Connected only (idle sockets that do not join). */
    CONNECTED,
    JOINING, JOINED,
    /** Dropped; reconnecting to resume. */
    RESUMING,
    LEFT,
    /** Gave up: join refused or timed out, or no resume in time. */
    FAILED
  }

  /**
   * A stream's state. {@code SENDER_UNKNOWN}: refused with {@code unknown-sender} while its sender
   * was announced here; the sender left and its {@code participantLeft} is on the way (the pod
   * answers the offer before the room's event reaches this socket) — cancelled when it comes,
   * failed when it does not within the timeout.
   */
  private enum Status { OFFERED, SENDER_UNKNOWN, SETTLED, FAILED, CANCELLED }

  /** One receiveVideoFrom: this participant's own camera (sender = its name) or another's. */
  private static final class MediaStream {
    final long createdAt;
    /** When the offer was handed to the socket; 0 while it waits in the outbox. */
    volatile long offeredAt;
    Status status = Status.OFFERED;
    /** When it was refused with {@code unknown-sender}. */
    long refusedAt;

    MediaStream(long createdAt) {
      this.createdAt = createdAt;
    }

    long startedAt() {
      long sent = offeredAt;
      return sent != 0 ? sent : createdAt;
    }
  }

  static final String JOIN_REQUEST = "join";
  static final String RESUME_REQUEST = "resume";
  static final String OFFER_REQUEST = "rvf:";
  static final String CANDIDATE_REQUEST = "ice:";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ClientContext ctx;
  private final int index;
  private final String name;
  private final String room;
  private final boolean negotiate;
  private final Map<String, MediaStream> streams = new LinkedHashMap<>();

  private Phase phase = Phase.NEW;
  private Connection connection;
  private int attempts;
  private String token;
  private volatile long joinSentAt;
  private volatile long resumeSentAt;
  private long droppedAt;
  private long resumedAt;
  private boolean everDropped;

  /**
   * @param index this participant's number in the run (spreads it over the URLs and addresses)
   * @param negotiate publish and subscribe after joining; false: join and stay idle
   */
  public SimulatedParticipant(ClientContext ctx, int index, String name, String room, boolean negotiate) {
    this.ctx = ctx;
    this.index = index;
    this.name = name;
    this.room = room;
    this.negotiate = negotiate;
  }

  public String name() {
    return name;
  }

  public String room() {
    return room;
  }

  public synchronized Phase phase() {
    return phase;
  }

  /** Connects and joins its room; then negotiates its streams when asked to. */
  public void join() {
    synchronized (this) {
      if (phase != Phase.NEW) {
        return;
      }
      phase = Phase.CONNECTING;
    }
    connect(room, this::sendJoin);
  }

  /** Opens a socket and keeps it open, joining nothing. */
  public void connectOnly() {
    synchronized (this) {
      if (phase != Phase.NEW) {
        return;
      }
      phase = Phase.CONNECTING;
    }
    connect(null, c -> {
      synchronized (this) {
        if (phase == Phase.CONNECTING && c == connection) {
          phase = Phase.CONNECTED;
        }
      }
    });
  }

  /** Leaves the room (leaveRoom, then a normal close); streams still waiting for answers are cancelled. */
  public synchronized void leave() {
    if (phase == Phase.LEFT) {
      return;
    }
    boolean joined = phase == Phase.JOINED || phase == Phase.RESUMING;
    phase = Phase.LEFT;
    cancelWaitingStreams();
    if (joined) {
      ctx.metrics().left();
    }
    if (connection != null && connection.opened) {
      if (joined) {
        connection.send(Frames.leaveRoom("leave"), null);
      }
      connection.outbox.closeWhenSent();
    }
  }

  /** Drops the socket without a goodbye (the end of a run that could not wait). */
  public synchronized void abort() {
    if (phase != Phase.FAILED) {
      phase = Phase.LEFT;
    }
    if (connection != null && connection.socket != null) {
      connection.socket.abort();
    }
  }

  /** A WebSocket ping on the open socket (keep-alive for proxies; browsers send none). */
  public void ping() {
    Connection c;
    synchronized (this) {
      c = connection;
    }
    if (c != null && c.opened && !c.closeReported) {
      try {
        c.socket.sendPing(ByteBuffer.allocate(0));
      } catch (IllegalStateException previousPingPending) {
        // the last one is still on its way: this one is not needed
      }
    }
  }

  /**
   * Still waiting for something that may yet come within the timeout: its start, a join, a
   * resume, an answer.
   */
  public synchronized boolean busy(long now) {
    if (phase == Phase.NEW || phase == Phase.CONNECTING || phase == Phase.JOINING || phase == Phase.RESUMING) {
      return true;
    }
    long timeout = ctx.settings().timeout().toNanos();
    for (MediaStream s : streams.values()) {
      if (s.status == Status.OFFERED && now - s.startedAt() <= timeout) {
        return true;
      }
      if (s.status == Status.SENDER_UNKNOWN && now - s.refusedAt <= timeout) {
        return true;
      }
    }
    return false;
  }

  /** Gives up on a join or resume that took longer than allowed. */
  public synchronized void expireOverdue(long now) {
    long timeout = ctx.settings().timeout().toNanos();
    if (phase == Phase.JOINING && joinSentAt != 0 && now - joinSentAt > timeout) {
      ctx.metrics().error("join-timeout");
      failJoin();
    } else if (phase == Phase.RESUMING && now - droppedAt > ctx.settings().resumeWindow().toNanos() + timeout) {
      ctx.metrics().error("resume-timeout");
      giveUpResuming();
    }
    for (MediaStream s : streams.values()) {
      if (s.status == Status.SENDER_UNKNOWN && now - s.refusedAt > timeout) {
        s.status = Status.FAILED; // refused, and the sender never left: the pod lost track of it
        ctx.metrics().streamFailed();
      }
    }
  }

  /** Streams offered whose answer has not come (nor an error, nor their sender's departure). */
  public synchronized int unsettled() {
    int n = 0;
    for (MediaStream s : streams.values()) {
      if (s.status == Status.OFFERED) {
        n++;
      }
    }
    return n;
  }

  /** Whether its socket ever dropped (or it was told to reconnect) while joined. */
  public synchronized boolean everDropped() {
    return everDropped;
  }

  /** When it last resumed ({@code clock} nanoseconds), or 0. */
  public synchronized long resumedAt() {
    return resumedAt;
  }

  // --- connecting ---------------------------------------------------------------------------

  private void connect(String roomForUrl, Consumer<Connection> onOpen) {
    Connection c = new Connection();
    URI url;
    synchronized (this) {
      connection = c;
      url = ctx.settings().url(index, attempts++, roomForUrl);
    }
    c.startedAt = ctx.clock().getAsLong();
    ctx.sockets().open(url, c).whenComplete((socket, error) -> {
      if (error != null) {
        connectFailed(c, error);
        return;
      }
      onOpen.accept(c);
    });
  }

  private synchronized void connectFailed(Connection c, Throwable error) {
    if (c != connection) {
      return;
    }
    ctx.metrics().connectFailed(connectFailure(error));
    switch (phase) {
      case RESUMING -> retryResume();
      case CONNECTING, JOINING -> {
        phase = Phase.FAILED;
        ctx.metrics().joinFailed();
      }
      default -> { }
    }
  }

  /** {@code connect-refused-<status>} when the server answered the handshake with an HTTP status, else {@code connect-failed}. */
  static String connectFailure(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof WebSocketHandshakeException h) {
        return "connect-refused-" + h.getResponse().statusCode();
      }
    }
    return "connect-failed";
  }

  private synchronized void sendJoin(Connection c) {
    if (phase != Phase.CONNECTING || c != connection) {
      c.outbox.closeWhenSent();
      return;
    }
    phase = Phase.JOINING;
    c.send(Frames.joinRoom(name, room, JOIN_REQUEST), at -> {
      joinSentAt = at;
      ctx.metrics().joinSent(room, name, at);
    });
  }

  // --- what the server says -----------------------------------------------------------------

  private void deliver(Connection c, String text) {
    ctx.metrics().received();
    JsonNode m;
    try {
      m = JSON.readTree(text);
    } catch (RuntimeException e) {
      ctx.metrics().error("server-sent-invalid-json");
      return;
    }
    synchronized (this) {
      if (c != connection) {
        return; // a socket this participant has moved away from
      }
      String id = m.path("id").asString();
      switch (id) {
        case "existingParticipants" -> existing(m.path("data"));
        case "newParticipantArrived" -> arrived(m.path("name").asString());
        case "participantLeft" -> departed(m.path("name").asString());
        case "receiveVideoAnswer" -> answered(m.path("name").asString(), m.path("stream").asString("webcam"));
        case "iceCandidate" -> ctx.metrics().candidateReceived();
        case "session" -> token = m.path("token").asString();
        case "resumed" -> resumed();
        case "reconnect" -> reconnectAsked();
        case "mediaMoved" -> mediaMoved();
        case "error" -> refused(m.path("code").asString("unknown"), m.path("requestId").asString(""));
        default -> { } // chat, media state, screens, recording: not this client's business
      }
    }
  }

  private void existing(JsonNode data) {
    List<String> names = new ArrayList<>();
    data.forEach(n -> names.add(n.asString()));
    long now = ctx.clock().getAsLong();
    if (phase == Phase.JOINING) {
      phase = Phase.JOINED;
      ctx.metrics().joined(now, now - joinSentAt);
      if (negotiate) {
        offer(name);
        names.forEach(this::offer);
      }
      return;
    }
    if (phase == Phase.JOINED && negotiate) {
      // After a resume: whoever came while the socket was down was announced to nobody here.
      Set<String> present = new HashSet<>(names);
      present.add(name);
      for (String sender : List.copyOf(streams.keySet())) {
        if (!present.contains(sender)) {
          departed(sender);
        }
      }
      names.forEach(this::offer);
    }
  }

  private void arrived(String sender) {
    ctx.metrics().arrivalTold(room, sender, ctx.clock().getAsLong());
    if (phase == Phase.JOINED && negotiate) {
      offer(sender);
    }
  }

  private void departed(String sender) {
    MediaStream s = streams.remove(sender);
    if (s != null && (s.status == Status.OFFERED || s.status == Status.SENDER_UNKNOWN)) {
      s.status = Status.CANCELLED;
      ctx.metrics().cancelled();
    }
  }

  /** receiveVideoFrom {@code sender} (oneself: publish) with a fresh offer, then a few candidates. */
  private void offer(String sender) {
    if (streams.containsKey(sender) || connection == null || !connection.opened) {
      return;
    }
    long now = ctx.clock().getAsLong();
    MediaStream s = new MediaStream(now);
    streams.put(sender, s);
    ctx.metrics().offered(now);
    String sdp = sender.equals(name) ? ctx.offers().publishOffer() : ctx.offers().subscribeOffer();
    connection.send(Frames.receiveVideoFrom(sender, sdp, OFFER_REQUEST + sender), at -> s.offeredAt = at);
    for (IceCandidate candidate : ctx.candidates().forConnection(index, ctx.settings().candidatesPerStream())) {
      connection.send(Frames.onIceCandidate(sender, candidate, CANDIDATE_REQUEST + sender), null);
    }
  }

  private void answered(String sender, String stream) {
    if (!"webcam".equals(stream)) {
      return;
    }
    MediaStream s = streams.get(sender);
    if (s == null || s.status != Status.OFFERED) {
      ctx.metrics().error("unexpected-answer");
      return;
    }
    long now = ctx.clock().getAsLong();
    long took = now - s.startedAt();
    s.status = Status.SETTLED;
    ctx.metrics().settled(now, took, took > ctx.settings().timeout().toNanos());
  }

  private void refused(String code, String requestId) {
    ctx.metrics().error(code);
    // Some errors come without the requestId (the pods' `unavailable` and `internal`); while a
    // join or a resume is all this socket has asked, the error can only be about that.
    boolean aboutJoin = requestId.equals(JOIN_REQUEST) || requestId.isEmpty();
    boolean aboutResume = requestId.equals(RESUME_REQUEST) || requestId.isEmpty();
    if (aboutJoin && phase == Phase.JOINING) {
      failJoin();
    } else if (aboutResume && phase == Phase.RESUMING) {
      if (code.equals("invalid-token") || code.equals("not-allowed")) {
        // The session is gone (its grace is over) or not ours: a browser would join again.
        giveUpResuming();
      } else {
        // unavailable (no pod ready at the gateway, the store down): try again on a new socket.
        connection.abandoned = true;
        closeCurrent();
        retryResume();
      }
    } else if (requestId.startsWith(OFFER_REQUEST)) {
      String sender = requestId.substring(OFFER_REQUEST.length());
      MediaStream s = streams.get(sender);
      if (s != null && s.status == Status.OFFERED) {
        if (code.equals("unknown-sender") && !sender.equals(name)) {
          s.status = Status.SENDER_UNKNOWN;
          s.refusedAt = ctx.clock().getAsLong();
        } else {
          s.status = Status.FAILED;
          ctx.metrics().streamFailed();
        }
      }
    }
  }

  private void mediaMoved() {
    ctx.metrics().mediaMoved();
    if (phase != Phase.JOINED || !negotiate) {
      return;
    }
    departed(name);
    offer(name); // every other stream is renewed through participantLeft + newParticipantArrived
  }

  // --- drops and resumption -----------------------------------------------------------------

  private void closed(Connection c, String why) {
    synchronized (this) {
      if (c.closeReported) {
        return;
      }
      c.closeReported = true;
      if (c.outbox != null) {
        c.outbox.discard();
      }
      boolean current = c == connection;
      boolean expected = !current || c.abandoned || phase == Phase.LEFT || phase == Phase.FAILED;
      ctx.metrics().socketClosed(expected, why);
      if (expected) {
        return;
      }
      switch (phase) {
        case JOINED -> {
          if (token != null) {
            startResuming();
          } else {
            phase = Phase.FAILED;
          }
        }
        case RESUMING -> retryResume();
        case CONNECTING, JOINING -> {
          phase = Phase.FAILED;
          ctx.metrics().joinFailed();
        }
        default -> phase = Phase.FAILED; // an idle socket dropped
      }
    }
  }

  /** The pod is going away: move to another socket now, while this one still works. */
  private void reconnectAsked() {
    if (phase == Phase.JOINED && token != null) {
      startResuming();
    }
  }

  private void startResuming() {
    if (droppedAt == 0) {
      droppedAt = ctx.clock().getAsLong();
      everDropped = true;
      ctx.metrics().dropped();
    }
    phase = Phase.RESUMING;
    connect(room, this::sendResume);
  }

  private void retryResume() {
    long now = ctx.clock().getAsLong();
    if (now - droppedAt > ctx.settings().resumeWindow().toNanos()) {
      ctx.metrics().error("resume-window-passed");
      giveUpResuming();
      return;
    }
    // Quick at first (another pod is usually there at once), then at most once a second.
    long delayMillis = Math.min(1_000, 50L << Math.min(5, attempts));
    ctx.sockets().timer().schedule(() -> {
      synchronized (this) {
        if (phase == Phase.RESUMING) {
          connect(room, this::sendResume);
        }
      }
    }, delayMillis, TimeUnit.MILLISECONDS);
  }

  private synchronized void sendResume(Connection c) {
    if (phase != Phase.RESUMING || c != connection) {
      c.outbox.closeWhenSent();
      return;
    }
    c.send(Frames.resume(token, RESUME_REQUEST), at -> resumeSentAt = at);
  }

  private void resumed() {
    if (phase != Phase.RESUMING) {
      return;
    }
    long now = ctx.clock().getAsLong();
    phase = Phase.JOINED;
    resumedAt = now;
    ctx.metrics().resumed(now - resumeSentAt, now - droppedAt);
    droppedAt = 0;
  }

  private void giveUpResuming() {
    phase = Phase.FAILED;
    ctx.metrics().resumeFailed();
    cancelWaitingStreams();
    closeCurrent();
  }

  private void failJoin() {
    phase = Phase.FAILED;
    ctx.metrics().joinFailed();
    closeCurrent();
  }

  private void cancelWaitingStreams() {
    // Not the server's failure: nobody is waiting for these answers any more.
    for (MediaStream s : streams.values()) {
      if (s.status == Status.OFFERED) {
        s.status = Status.CANCELLED;
        ctx.metrics().cancelled();
      }
    }
  }

  private void closeCurrent() {
    if (connection != null && connection.opened) {
      connection.outbox.closeWhenSent();
    }
  }

  private void sendFailed(Connection c, Throwable error) {
    // Off this thread: the failure may surface inside a send made under this participant's lock.
    ctx.sockets().timer().execute(() -> closed(c, "send-failed"));
  }

  /** One socket of this participant, and its listener. */
  private final class Connection implements WebSocket.Listener {
    volatile WebSocket socket;
    volatile Outbox outbox;
    volatile boolean opened;
    volatile long startedAt;
    /** Given up on by this participant (a retry is under way): its close is no news. */
    volatile boolean abandoned;
    /** Guarded by the participant's monitor. */
    boolean closeReported;
    private final StringBuilder partial = new StringBuilder();

    void send(String text, LongConsumer onSent) {
      outbox.send(text, at -> {
        ctx.metrics().sent();
        if (onSent != null) {
          onSent.accept(at);
        }
      });
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      socket = webSocket;
      ClientSettings s = ctx.settings();
      outbox = new Outbox(webSocket, new RateLimit(s.messagesPerSecond(), s.messageBurst(), ctx.clock().getAsLong()),
          ctx.sockets().timer(), ctx.clock(), error -> sendFailed(this, error));
      opened = true;
      ctx.metrics().socketOpened(ctx.clock().getAsLong() - startedAt);
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        deliver(this, text);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed(this, "close-" + statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed(this, "socket-error");
    }
  }
}
