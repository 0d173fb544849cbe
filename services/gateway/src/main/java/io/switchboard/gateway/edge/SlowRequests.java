package io.switchboard.gateway.edge;

import io.netty.handler.timeout.ReadTimeoutException;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * A client that sent a request's headers but not its body in time ({@code
 * switchboard.gateway.timeouts.request} / {@code .read}) gets 408 with a problem-JSON body, the
 * connection closed, and the refusal counted ({@code reason="slow-request"}) — not a 500 and an
 * error in the log.
 */
public final class SlowRequests implements WebExceptionHandler, Ordered {

  /** Reactor Netty's (package-private) exception for {@code HttpServer.requestTimeout}; EdgeTimeoutsIT notices a rename. */
  static final String REQUEST_TIMEOUT = "reactor.netty.http.server.RequestTimeoutException";

  private static final Logger log = LoggerFactory.getLogger(SlowRequests.class);

  private final Refusals refusals;

  public SlowRequests(Refusals refusals) {
    this.refusals = refusals;
    // Reactor Netty signals the timeout a second time once the exchange has been answered; Reactor
    // would log that at ERROR. Answered and counted here, it is not an error; others stay one.
    Hooks.onErrorDropped(error -> {
      if (isSlowRequest(error)) {
        log.debug("slow request, already answered: {}", error.toString());
      } else {
        log.error("an error after its request was answered", error);
      }
    });
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
    if (!isSlowRequest(error)) {
      return Mono.error(error);
    }
    exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
    return refusals.refuse(exchange, Refusal.SLOW_REQUEST,
        "the request's body did not arrive in time (switchboard.gateway.timeouts.request and .read)");
  }

  static boolean isSlowRequest(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ReadTimeoutException || t.getClass().getName().equals(REQUEST_TIMEOUT)) {
        return true;
      }
    }
    return false;
  }

  /** Before Spring Boot's error handler (order -1), which would make it a 500. */
  @Override
  public int getOrder() {
    return -2;
  }
}
