package io.switchboard.loadgen.client;

import java.net.URI;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/** Where participants get their sockets and their timer: the {@link Connector}, or a test's fake. */
public interface WebSockets {

  CompletableFuture<WebSocket> open(URI url, WebSocket.Listener listener);

  /** Schedules joins, leaves, retries and paced sends. */
  ScheduledExecutorService timer();
}
