package io.switchboard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1: tests never bind anything else. */
public final class LoopbackPorts {

  public static final String HOST = "127.0.0.1";

  private LoopbackPorts() {}

  /** A port that was free a moment ago; servers that cannot take port 0 use it. */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
