package io.switchboard.launchers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.Deque;

/** Free TCP ports on 127.0.0.1: tests never bind anything else. */
public final class LoopbackPorts {

  public static final String HOST = "127.0.0.1";
  private static final int REMEMBERED = 256;
  /**
   * Ports handed out lately in this JVM. The OS may offer a port again as soon as the probe socket
   * closes, before the server it was meant for has bound it: two calls in a row (a broker's client
   * and controller listeners, say) could otherwise get the same port.
   */
  private static final Deque<Integer> recent = new ArrayDeque<>();

  private LoopbackPorts() {}

  /** A port that was free a moment ago and not handed out lately; servers that cannot take port 0 use it. */
  public static synchronized int free() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = probe();
      if (!recent.contains(port)) {
        recent.addLast(port);
        if (recent.size() > REMEMBERED) {
          recent.removeFirst();
        }
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port that was not handed out lately");
  }

  private static int probe() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
