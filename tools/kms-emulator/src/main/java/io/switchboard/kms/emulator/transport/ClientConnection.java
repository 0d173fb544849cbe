package io.switchboard.kms.emulator.transport;

import io.switchboard.kms.emulator.Faults;
import io.switchboard.kms.emulator.model.Peer;
import io.switchboard.kms.emulator.rpc.RpcDispatcher;
import io.switchboard.kms.emulator.rpc.RpcDispatcher.Outcome;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.java_websocket.WebSocket;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client socket. KMS handles a socket's requests one after another (a slow getUsedCpu holds
 * up the next ping on that socket, not on others), so each socket gets its own serial executor.
 */
final class ClientConnection implements Peer {

  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

  private final WebSocket socket;
  private final RpcDispatcher dispatcher;
  private final Faults faults;
  private final ExecutorService executor;
  /** Closes the connection without a close frame, so that the client sees it now (see KmsWebSocketServer#drop). */
  private final java.util.function.Consumer<WebSocket> dropper;

  ClientConnection(WebSocket socket, RpcDispatcher dispatcher, Faults faults, int number,
      java.util.function.Consumer<WebSocket> dropper) {
    this.socket = socket;
    this.dropper = dropper;
    this.dispatcher = dispatcher;
    this.faults = faults;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "kms-emulator-conn-" + number);
      t.setDaemon(true);
      return t;
    });
  }

  void received(String text) {
    long queuedAt = System.nanoTime();
    try {
      executor.execute(() -> {
        try {
          handle(text);
        } catch (Throwable t) {
          log.error("frame could not be handled: {}", abbreviate(text), t);
          send("{\"error\":{\"code\":-32603,\"message\":\"Unexpected error while processing method: "
              + t.getClass().getSimpleName() + "\"},\"id\":null,\"jsonrpc\":\"2.0\"}");
        }
        long millis = (System.nanoTime() - queuedAt) / 1_000_000;
        if (millis > 1_000) {
          log.warn("a request took {} ms from arrival to answer: {}", millis, abbreviate(text));
        }
      });
    } catch (RejectedExecutionException e) {
      log.debug("frame after close ignored");
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }

  private void handle(String text) {
    if (faults.hung()) {
      return;
    }
    long latency = faults.latency().toMillis();
    if (latency > 0) {
      try {
        Thread.sleep(latency);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    Outcome outcome = dispatcher.handle(text, this);
    if (outcome instanceof Outcome.Reply reply) {
      send(reply.text());
    } else {
      drop();
    }
  }

  /** Closes the TCP connection without a close frame: the client sees 1006. */
  void drop() {
    dropper.accept(socket);
  }

  void closed() {
    executor.shutdownNow();
  }

  @Override
  public boolean isOpen() {
    return socket.isOpen();
  }

  @Override
  public void send(String text) {
    if (faults.hung()) {
      return;
    }
    try {
      socket.send(text);
    } catch (WebsocketNotConnectedException e) {
      log.debug("socket closed before a frame could be sent");
    }
  }
}
