package io.switchboard.gateway;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * Something discovery lists as a signaling pod that is not a working one: its readiness answers
 * with a given status, and a WebSocket handshake at /groupcall is never answered.
 */
final class FakePod implements AutoCloseable {

  private final HttpServer server;
  private final CountDownLatch released = new CountDownLatch(1);

  FakePod(int readiness) {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/actuator/health/readiness", exchange -> {
      exchange.sendResponseHeaders(readiness, -1);
      exchange.close();
    });
    server.createContext("/groupcall", exchange -> {
      try {
        released.await(); // never answers while the test runs
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
  }
}
