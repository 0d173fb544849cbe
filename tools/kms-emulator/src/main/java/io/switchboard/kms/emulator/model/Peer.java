package io.switchboard.kms.emulator.model;

/** One client WebSocket as the media server sees it: somewhere to push events. */
public interface Peer {

  boolean isOpen();

  /** Sends one text frame; never blocks on the network. */
  void send(String text);
}
