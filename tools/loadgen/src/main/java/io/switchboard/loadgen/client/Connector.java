package io.switchboard.loadgen.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens every participant's WebSocket through one JDK {@link HttpClient}: one selector thread for
 * all sockets, and a small fixed pool that runs the listeners, so ten thousand sockets cost ten
 * thousand connections, not ten thousand threads. A single timer thread schedules joins, leaves,
 * retries and paced sends.
 */
public final class Connector implements WebSockets, AutoCloseable {

  static {
    // The JDK gives every WebSocket 16 KiB buffers for reading, writing and the connection: ~60 KB
    // of heap per socket. Messages longer than a buffer still arrive (in parts) and go out (in
    // pieces), so small buffers only cost a few more copies: ~20 KB per socket, 10,000 in 200 MB.
    // Set before the HttpClient classes read them; -D on the command line wins.
    defaultProperty("jdk.httpclient.websocket.intermediateBufferSize", "2048");
    defaultProperty("jdk.httpclient.websocket.writeBufferSize", "2048");
    defaultProperty("jdk.httpclient.bufsize", "4096");
  }

  private final ExecutorService workers;
  private final ScheduledThreadPoolExecutor timer;
  private final HttpClient http;
  private final Duration connectTimeout;

  public Connector(int threads, Duration connectTimeout) {
    this.workers = Executors.newFixedThreadPool(Math.max(1, threads), daemon("loadgen-io-"));
    this.timer = new ScheduledThreadPoolExecutor(1, daemon("loadgen-timer-"));
    this.timer.setRemoveOnCancelPolicy(true);
    this.http = HttpClient.newBuilder().executor(workers).connectTimeout(connectTimeout).build();
    this.connectTimeout = connectTimeout;
  }

  @Override
  public CompletableFuture<WebSocket> open(URI url, WebSocket.Listener listener) {
    return http.newWebSocketBuilder().connectTimeout(connectTimeout).buildAsync(url, listener);
  }

  @Override
  public ScheduledExecutorService timer() {
    return timer;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    workers.shutdownNow();
  }

  private static void defaultProperty(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
