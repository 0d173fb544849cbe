package io.switchboard.gateway.edge;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;

/**
 * How long a {@code /groupcall} request's socket lives. The filter chain of an upgrade completes
 * once the handshake is done, long before the socket closes, so what must last as long as the
 * socket (its place under the per-address cap, its count against its pod) is released here: when
 * the request's filters are done and, if the socket was proxied, when the proxied socket ends.
 */
public final class SocketLifetime {

  private static final Logger log = LoggerFactory.getLogger(SocketLifetime.class);
  static final String ATTRIBUTE = SocketLifetime.class.getName();

  private final AtomicInteger holds = new AtomicInteger(1);
  private final List<Runnable> onEnd = new CopyOnWriteArrayList<>();

  /** Makes this the lifetime of the request's socket (what the proxy and the routing find). */
  void attach(ServerWebExchange exchange) {
    exchange.getAttributes().put(ATTRIBUTE, this);
  }

  /** The exchange's lifetime, or null outside {@code /groupcall}. */
  public static SocketLifetime of(ServerWebExchange exchange) {
    return exchange.getAttribute(ATTRIBUTE);
  }

  /** Runs {@code action} once, when the socket (or the request, if never upgraded) has ended. */
  public void onEnd(Runnable action) {
    onEnd.add(action);
  }

  /** The proxied socket started: it holds the lifetime until it ends. */
  void retain() {
    holds.incrementAndGet();
  }

  void release() {
    if (holds.decrementAndGet() == 0) {
      for (Runnable action : onEnd) {
        try {
          action.run();
        } catch (RuntimeException e) {
          log.warn("socket clean-up failed: {}", e.toString());
        }
      }
    }
  }
}
