package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ServerMessage;

/** One browser's socket, as the domain sees it: somewhere to send messages, serialised. */
public interface ClientChannel {

  void send(ServerMessage message);
}
