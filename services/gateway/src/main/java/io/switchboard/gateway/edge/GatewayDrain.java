package io.switchboard.gateway.edge;

import java.time.Duration;
import org.springframework.context.SmartLifecycle;

/**
 * When the gateway stops (SIGTERM: a rolling update, a scale-in), before the web server's
 * graceful shutdown: every proxied socket is told to {@code reconnect} and closed with 1012
 * ({@link KeepAliveWebSocketService#drain}), and the gateway waits up to
 * {@code switchboard.gateway.shutdown-drain} for them to end. Clients resume their sessions
 * through another replica; without this they would hang on until the server's grace period ran
 * out and then be dropped.
 */
public final class GatewayDrain implements SmartLifecycle {

  private final KeepAliveWebSocketService sockets;
  private final Duration grace;
  private volatile boolean running;

  public GatewayDrain(KeepAliveWebSocketService sockets, Duration grace) {
    this.sockets = sockets;
    this.grace = grace;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    try {
      sockets.drain(grace);
    } finally {
      running = false;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) begins. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }
}
