package io.switchboard.launchers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A real redis-server process (the binary embedded-redis ships), bound to 127.0.0.1 on a free
 * port, with no persistence. Its binary and working files live in a temporary directory that
 * {@link #close()} removes.
 *
 * <pre>{@code
 * try (RedisServerProcess redis = RedisServerProcess.start()) {
 *   String url = redis.url(); // redis://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class RedisServerProcess implements AutoCloseable {

  private final TemporaryDirectory directory;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();
  private RedisServer server;

  private RedisServerProcess(int port) {
    this.port = port;
    this.directory = new TemporaryDirectory("switchboard-redis-");
    try {
      launch();
    } catch (RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  public static RedisServerProcess start() {
    return new RedisServerProcess(LoopbackPorts.free());
  }

  /** On a given port, e.g. to bring a Redis back where clients expect it. */
  public static RedisServerProcess start(int port) {
    return new RedisServerProcess(port);
  }

  private void launch() {
    try {
      server = RedisServer.newRedisServer()
          .executableProvider(ExecutableProvider.newJarResourceProvider(directory.path().toFile()))
          .bind(LoopbackPorts.HOST)
          .port(port)
          .setting("dir " + directory.path())
          .setting("save \"\"")
          .setting("appendonly no")
          .setting("protected-mode yes")
          .onShutdownForceStop(true)
          .build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("redis-server did not start on port " + port, e);
    }
  }

  /** Where the binary and working files live until {@link #close()}. */
  public java.nio.file.Path directory() {
    return directory.path();
  }

  public int port() {
    return port;
  }

  public String host() {
    return LoopbackPorts.HOST;
  }

  /** {@code redis://127.0.0.1:<port>}, the form {@code spring.data.redis.url} takes. */
  public String url() {
    return "redis://" + LoopbackPorts.HOST + ":" + port;
  }

  public boolean running() {
    return server != null && server.isActive();
  }

  /** Stops the server (an outage); {@link #restart()} brings it back, empty, on the same port. */
  public void stop() {
    try {
      if (server != null && server.isActive()) {
        server.stop();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitPortClosed();
  }

  /** redis-server may still hold its port a moment after it was told to stop. */
  private void awaitPortClosed() {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(new java.net.InetSocketAddress(LoopbackPorts.HOST, port), 200);
      } catch (IOException closed) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("redis-server still listens on " + port + " after stop");
  }

  public void restart() {
    stop();
    launch();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        stop();
      } finally {
        directory.close();
      }
    }
  }
}
