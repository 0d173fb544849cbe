package io.switchboard.signaling.ws;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.MessageDecoder;
import io.switchboard.groupcall.protocol.MessageEncoder;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.signaling.domain.Access;
import io.switchboard.signaling.domain.GroupCallService;
import io.switchboard.signaling.domain.MediaServer;
import io.switchboard.signaling.domain.Participant;
import org.springframework.dao.DataAccessException;
import org.springframework.web.client.RestClientException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * The edge at {@code /groupcall}: frames become typed messages here, once; anything refused is
 * answered with an {@code error} on the same socket, which stays usable. A socket sending faster
 * than its rate limit is closed with 1008; a message over the size limit with 1009. The container
 * hands messages over in pieces of its (small) buffer; each socket puts them together
 * ({@link MessageAssembly}), so an idle socket holds no buffer the size of the limit.
 */
public final class GroupCallSocketHandler extends TextWebSocketHandler implements SubProtocolCapable, AutoCloseable {

  /** The subprotocol a browser asks for when it passes a join token as a subprotocol (the gateway strips the token). */
  public static final String SUBPROTOCOL = "switchboard";
  /** Close code: the join token does not allow this (wrong room or name), or there is none where one is required. */
  static final int FORBIDDEN = 4403;

  private static final Logger log = LoggerFactory.getLogger(GroupCallSocketHandler.class);

  private final GroupCallService calls;
  private final SocketSettings settings;
  /** Whom the pod serves: what the gateway signed, anyone (open mode), or nobody. */
  private final IdentityPolicy identities;
  private final MessageDecoder decoder = new MessageDecoder();
  private final MessageEncoder encoder = new MessageEncoder();
  private final Map<String, ClientSocket> sockets = new ConcurrentHashMap<>();
  private final SignalingMetrics metrics;
  /** What rehearsal sockets count in: a registry of their own, which nothing exports. */
  private final SignalingMetrics unmetered;
  /** The key a rehearsal socket shows ({@link SocketRehearsal}); null outside a rehearsal. */
  private volatile byte[] rehearsalKey;
  /** The call service rehearsal sockets join through ({@link #openRehearsal(GroupCallService)}); null: they join nothing. */
  private volatile GroupCallService rehearsalCalls;
  /** Rehearsal sockets open now (left out of the sockets gauge). */
  private final java.util.concurrent.atomic.AtomicInteger rehearsing = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong rehearsed = new java.util.concurrent.atomic.AtomicLong();
  /** Set when the pod stops: no socket is served any more, each is told to reconnect elsewhere. */
  private volatile boolean draining;
  /**
   * Threads for sockets' negotiations ({@link #negotiate}): at most {@link #NEGOTIATION_THREADS},
   * handed each negotiation directly (no queue); when all are busy, or once the pod is stopping, the
   * socket's thread runs it.
   * Each waits on KMS and Redis round trips, not on CPU: the KMS node's in-flight bound, not this,
   * is what limits the load on KMS.
   */
  private final ThreadPoolExecutor negotiations;
  static final int NEGOTIATION_THREADS = 64;
  static final int NEGOTIATIONS_PER_SOCKET = 8;

  public GroupCallSocketHandler(GroupCallService calls, SocketSettings settings,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.calls = calls;
    this.settings = settings;
    this.identities = settings.identities();
    String warning = identities.startupWarning();
    if (warning != null) {
      log.warn(warning);
    }
    this.metrics = new SignalingMetrics(registry, calls, () -> sockets.size() - rehearsing.get());
    this.unmetered = new SignalingMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), calls,
        rehearsing::get);
    this.negotiations = io.switchboard.signaling.domain.HandOffThreads.create("negotiation-", NEGOTIATION_THREADS);
  }

  @Override
  public java.util.List<String> getSubProtocols() {
    return java.util.List.of(SUBPROTOCOL);
  }

  /** Messages come in pieces of the container's buffer ({@link #CONTAINER_TEXT_BUFFER}), put together per socket. */
  @Override
  public boolean supportsPartialMessages() {
    return true;
  }

  /**
   * The container's text buffer, in characters, which it allocates for every socket up front: one
   * piece of a message. Most messages fit in one; an SDP offer (5–7 KB) comes in a few pieces.
   */
  public static final int CONTAINER_TEXT_BUFFER = 2 * 1024;

  /**
   * Starts a rehearsal: returns the key its sockets show ({@link SocketRehearsal#HEADER}) until
   * {@link #closeRehearsal}. Such a socket needs no identity, counts in no meter, and may not join
   * or resume. For {@link SocketRehearsal}, and tests.
   */
  public String openRehearsal() {
    return openRehearsal(null);
  }

  /**
   * The same, and the rehearsal's sockets join the rooms of {@code joins} ({@link JoinRehearsal}:
   * a call service of the pod's own pieces that nothing outside the pod hears of, {@code
   * domain.RehearsalCalls}) instead of being refused; they still may not resume.
   */
  public String openRehearsal(GroupCallService joins) {
    rehearsalCalls = joins;
    byte[] random = new byte[32];
    new java.security.SecureRandom().nextBytes(random);
    String key = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    rehearsalKey = key.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return key;
  }

  /** Ends the rehearsal: its key opens nothing any more. */
  public void closeRehearsal() {
    rehearsalKey = null;
    rehearsalCalls = null;
  }

  /** Rehearsal sockets open now. */
  public int openRehearsalSockets() {
    return rehearsing.get();
  }

  /** Rehearsal sockets this pod has served since it started. */
  public long rehearsalSockets() {
    return rehearsed.get();
  }

  private boolean isRehearsal(WebSocketSession session) {
    byte[] key = rehearsalKey;
    String shown = session.getHandshakeHeaders().getFirst(SocketRehearsal.HEADER);
    return key != null && shown != null
        && java.security.MessageDigest.isEqual(key, shown.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /** The call service a socket's messages go to: the pod's own, or a join rehearsal's. */
  private GroupCallService callsOf(ClientSocket socket) {
    GroupCallService rehearsal = socket.rehearsalCalls;
    return rehearsal != null ? rehearsal : calls;
  }

  private SignalingMetrics metrics(ClientSocket socket) {
    return socket.rehearsal ? unmetered : metrics;
  }

  @Override
  public void afterConnectionEstablished(WebSocketSession session) {
    if (isRehearsal(session)) {
      rehearsing.incrementAndGet();
      rehearsed.incrementAndGet();
      ClientSocket socket = new ClientSocket(session, encoder, settings.sendTimeLimit(),
          settings.sendBufferBytes(), settings.messagesPerSecond(), settings.messageBurst(), settings.maxFrameBytes(),
          Access.ANYONE, null, true);
      socket.rehearsalCalls = rehearsalCalls;
      sockets.put(session.getId(), socket);
      return;
    }
    IdentityPolicy.Admission admission = identities.admit(session.getHandshakeHeaders());
    ClientSocket socket = new ClientSocket(session, encoder, settings.sendTimeLimit(),
        settings.sendBufferBytes(), settings.messagesPerSecond(), settings.messageBurst(), settings.maxFrameBytes(),
        admission.access() == null ? Access.ANYONE : admission.access(),
        admission.opener(identities.mode() == IdentityPolicy.Mode.OPEN ? peer(session) : null), false);
    if (admission.refusal() != null) {
      metrics.refused("identity");
      socket.send(new ServerMessage.Error(ErrorCode.NOT_ALLOWED.wire(), admission.refusal(), null));
      socket.close(new CloseStatus(FORBIDDEN, "no verified identity"));
      return;
    }
    sockets.put(session.getId(), socket);
    if (draining) {
      socket.send(new ServerMessage.Reconnect(STOPPING));
      socket.close(SERVICE_RESTART);
    }
  }

  private static final String STOPPING = "this signaling pod is stopping; reconnect and resume";
  /** 1012 Service Restart: the client may reconnect at once (to another pod). */
  private static final CloseStatus SERVICE_RESTART = CloseStatus.SERVICE_RESTARTED.withReason("pod stopping");

  /**
   * The pod is stopping: every socket is told to {@code reconnect} (a client that can resumes on
   * another pod, and this pod lets it go when it does); those still open after {@code grace} are
   * closed with 1012, which parks their participants for a resume. Media is never touched.
   */
  public void drain(java.time.Duration grace) {
    draining = true;
    log.info("stopping: telling {} sockets to reconnect elsewhere", sockets.size());
    sockets.values().forEach(s -> s.send(new ServerMessage.Reconnect(STOPPING)));
    long deadline = System.nanoTime() + grace.toNanos();
    while (!sockets.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    sockets.values().forEach(s -> s.close(SERVICE_RESTART));
    deadline = System.nanoTime() + java.time.Duration.ofSeconds(2).toNanos();
    while (!sockets.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20); // each close parks its participant (afterConnectionClosed)
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
  }

  @Override
  protected void handleTextMessage(WebSocketSession session, TextMessage piece) throws Exception {
    ClientSocket socket = sockets.get(session.getId());
    if (socket == null) {
      return;
    }
    String text;
    try {
      text = socket.incoming.add(piece.getPayload(), piece.isLast());
    } catch (MessageAssembly.TooBig e) {
      log.info("socket {} sent a {}: closing", session.getId(), e.getMessage());
      metrics(socket).refused("too-big");
      socket.close(CloseStatus.TOO_BIG_TO_PROCESS.withReason("message too big"));
      return;
    }
    if (text == null) {
      return; // more of it to come
    }
    if (!socket.allow()) {
      log.info("socket {} exceeded {} messages/s: closing", session.getId(), settings.messagesPerSecond());
      session.close(CloseStatus.POLICY_VIOLATION.withReason("message rate limit exceeded"));
      return;
    }
    try {
      ClientMessage message = decoder.decode(text);
      metrics(socket).message(message);
      GroupCallService service = callsOf(socket);
      if (socket.rehearsal && (message instanceof ClientMessage.Resume
          || (message instanceof ClientMessage.JoinRoom && socket.rehearsalCalls == null))) {
        socket.send(new ServerMessage.Error(ErrorCode.NOT_ALLOWED.wire(), message instanceof ClientMessage.Resume
            ? "a rehearsal socket resumes nothing" : "a rehearsal socket joins nothing", null));
        return;
      }
      if (draining && (message instanceof ClientMessage.JoinRoom || message instanceof ClientMessage.Resume)) {
        // Nothing new starts on a stopping pod (a leave, ICE and the rest are still served).
        socket.send(new ServerMessage.Reconnect(STOPPING));
        return;
      }
      if (message instanceof ClientMessage.JoinRoom join) {
        String refused = socket.access().refusesJoin(join.room(), join.name());
        if (refused != null) {
          // The token says who and where: a join elsewhere is not a mistake to retry on this socket.
          metrics(socket).refused(ErrorCode.NOT_ALLOWED.wire());
          socket.send(new ServerMessage.Error(ErrorCode.NOT_ALLOWED.wire(), refused, join.requestId()));
          socket.close(new CloseStatus(FORBIDDEN, refused.length() > 120 ? refused.substring(0, 120) : refused));
          return;
        }
      }
      long started = System.nanoTime();
      String room = roomOf(socket, message);
      String name = nameOf(socket, message);
      boolean[] negotiating = {false};
      try (var inRoom = MDC.putCloseable("room", room); var as = MDC.putCloseable("participant", name)) {
        socket.participant = service.handle(socket.participant, socket, message, work -> {
          negotiating[0] = true;
          negotiate(socket, message, work, started, room, name);
        });
      }
      if (!negotiating[0]) {
        metrics(socket).handled(message, System.nanoTime() - started);
      }
      if (!session.isOpen() && socket.participant != null) {
        // Closed while this message made it a participant: the close saw none, so park it now.
        service.disconnected(socket.participant, socket);
      }
    } catch (RuntimeException e) {
      refuse(socket, e);
    }
  }

  /**
   * A negotiation's exchange with KMS and Redis, checked and its stream reserved already: on the
   * pod's negotiation threads, so that the socket's next offer need not wait for it (a browser
   * sends its offers for everyone in the room at once) — at most {@link #NEGOTIATIONS_PER_SOCKET}
   * of a socket at once, and while every negotiation thread is busy, on the socket's own thread,
   * which then reads nothing more from it until done (back-pressure, not a queue).
   */
  private void negotiate(ClientSocket socket, ClientMessage message, Runnable work, long started, String room,
      String name) {
    Runnable task = () -> {
      try (var inRoom = MDC.putCloseable("room", room); var as = MDC.putCloseable("participant", name)) {
        work.run();
        metrics(socket).handled(message, System.nanoTime() - started);
      } catch (RuntimeException e) {
        refuse(socket, e);
      } finally {
        socket.negotiating.decrementAndGet();
      }
    };
    if (socket.negotiating.incrementAndGet() > NEGOTIATIONS_PER_SOCKET) {
      task.run();
    } else {
      negotiations.execute(task);
    }
  }

  /** A message refused, answered with an {@code error} on its socket, which stays usable. */
  private void refuse(ClientSocket socket, RuntimeException e) {
    if (e instanceof ProtocolException refusal) {
      metrics(socket).refused(refusal.code().wire());
      socket.send(refusal.toMessage());
    } else if (e instanceof MediaServer.MediaException || e instanceof DataAccessException
        || e instanceof RestClientException) {
      // KMS, Redis or placement cannot be reached now: the client may retry.
      log.warn("message on socket {} could not be served: {}", socket.session().getId(), e.toString());
      metrics(socket).refused(ErrorCode.UNAVAILABLE.wire());
      socket.send(new ServerMessage.Error(ErrorCode.UNAVAILABLE.wire(),
          "the media server or room state is unavailable; retry", null));
    } else {
      log.error("message failed on socket {}", socket.session().getId(), e);
      metrics(socket).refused(ErrorCode.INTERNAL.wire());
      socket.send(new ServerMessage.Error(ErrorCode.INTERNAL.wire(), "the server failed to handle this message", null));
    }
  }

  /** Stops the negotiation threads, letting those under way finish (for a few seconds at most). */
  @Override
  public void close() {
    negotiations.shutdown();
    try {
      if (!negotiations.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("{} negotiations still under way at shutdown", negotiations.getActiveCount());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** For the logs: the room a message is about (the one it joins, or the socket's). */
  private static String roomOf(ClientSocket socket, ClientMessage message) {
    if (message instanceof ClientMessage.JoinRoom join) {
      return io.switchboard.signaling.domain.RoomIds.of(join.room());
    }
    Participant p = socket.participant;
    return p == null ? null : p.roomId();
  }

  private static String nameOf(ClientSocket socket, ClientMessage message) {
    if (message instanceof ClientMessage.JoinRoom join) {
      return join.name();
    }
    Participant p = socket.participant;
    return p == null ? null : p.name();
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
    ClientSocket socket = sockets.remove(session.getId());
    if (socket == null) {
      return;
    }
    Participant participant = socket.participant;
    socket.participant = null;
    try {
      callsOf(socket).disconnected(participant, socket);
    } catch (RuntimeException e) {
      log.warn("clean-up after socket {} closed failed: {}", session.getId(), e.toString());
    } finally {
      if (socket.rehearsal) {
        rehearsing.decrementAndGet(); // after its departure: a join rehearsal waits for both
      }
    }
  }

  @Override
  public void handleTransportError(WebSocketSession session, Throwable exception) {
    log.debug("transport error on {}: {}", session.getId(), exception.toString());
  }

  /** The socket's peer address (a client straight to a pod in open mode; else the gateway's, never used). */
  private static String peer(WebSocketSession session) {
    java.net.InetSocketAddress remote = session.getRemoteAddress();
    return remote == null || remote.getAddress() == null ? null : remote.getAddress().getHostAddress();
  }
}
