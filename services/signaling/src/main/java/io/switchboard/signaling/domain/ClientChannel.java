package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ServerMessage;

/** One browser's socket, as the domain sees it: somewhere to send messages, serialised. */
public interface ClientChannel {

  void send(ServerMessage message);

  /** Closes the socket with close code 4000 (replaced by another socket), after what was sent. */
  void closeReplaced(String reason);

  /** Closes the socket with close code 4001 (the session ended: join again), after what was sent. */
  void closeEnded(String reason);

  /** What this socket's join token allows (everything without one). */
  default Access access() {
    return Access.ANYONE;
  }

  /**
   * Whom the rooms this socket opens are counted for ({@code identity:<name>} or {@code
   * address:<client address>}), capped by {@code max-open-rooms-per-client}; null: not counted.
   */
  default String opener() {
    return null;
  }
}
