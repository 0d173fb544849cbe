package io.switchboard.signaling.ws;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.switchboard.groupcall.protocol.MessageEncoder;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.signaling.domain.ClientChannel;
import io.switchboard.signaling.domain.Participant;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;

/**
 * One browser socket. Every send goes through Spring's decorator, which serialises them: KMS
 * events arrive on kurento-client threads while the handler thread answers, and two concurrent
 * sends on one Tomcat session lose a message (the tutorial's TEXT_PARTIAL_WRITING trap).
 */
final class ClientSocket implements ClientChannel {

  private static final Logger log = LoggerFactory.getLogger(ClientSocket.class);

  private final WebSocketSession session;
  private final MessageEncoder encoder;
  private final Bucket rate;
  private final io.switchboard.signaling.domain.Access access;
  private final String opener;
  /** The participant this socket is, once joined; only touched on the socket's handler thread. */
  volatile Participant participant;
  /** The message arriving in pieces; only touched on the socket's handler thread. */
  final MessageAssembly incoming;
  /** A socket of the pod's own rehearsal ({@link SocketRehearsal}): unmetered, joins nothing. */
  final boolean rehearsal;
  /** The call service a rehearsal socket joins through (set as it opens); null: the pod's own. */
  volatile io.switchboard.signaling.domain.GroupCallService rehearsalCalls;
  /** This socket's negotiations running now (on the pod's negotiation threads or its own). */
  final java.util.concurrent.atomic.AtomicInteger negotiating = new java.util.concurrent.atomic.AtomicInteger();

  ClientSocket(WebSocketSession session, MessageEncoder encoder, Duration sendTimeLimit, int sendBufferBytes,
      int perSecond, int burst, int maxMessageChars, io.switchboard.signaling.domain.Access access, String opener,
      boolean rehearsal) {
    this.rehearsal = rehearsal;
    this.access = access;
    this.opener = opener;
    this.incoming = new MessageAssembly(maxMessageChars);
    this.session = new ConcurrentWebSocketSessionDecorator(session, (int) sendTimeLimit.toMillis(), sendBufferBytes);
    this.encoder = encoder;
    this.rate = Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
        .build();
  }

  @Override
  public io.switchboard.signaling.domain.Access access() {
    return access;
  }

  @Override
  public String opener() {
    return opener;
  }

  boolean allow() {
    return rate.tryConsume(1);
  }

  WebSocketSession session() {
    return session;
  }

  @Override
  public void closeReplaced(String reason) {
    close(new org.springframework.web.socket.CloseStatus(4000, reason));
  }

  @Override
  public void closeEnded(String reason) {
    close(new org.springframework.web.socket.CloseStatus(4001, reason));
  }

  void close(org.springframework.web.socket.CloseStatus status) {
    try {
      session.close(status);
    } catch (IOException | RuntimeException e) {
      log.debug("could not close {}: {}", session.getId(), e.toString());
    }
  }

  @Override
  public void send(ServerMessage message) {
    if (!session.isOpen()) {
      return;
    }
    try {
      session.sendMessage(new TextMessage(encoder.encode(message)));
    } catch (org.springframework.web.socket.handler.SessionLimitExceededException e) {
      // A client that does not read: its socket goes (its participant is parked, as on any drop).
      log.info("socket {} too slow ({}): closing", session.getId(), e.getMessage());
      close(e.getStatus());
    } catch (IOException | RuntimeException e) {
      log.debug("could not send to {}: {}", session.getId(), e.toString());
    }
  }
}
