package io.switchboard.gateway.edge;

import java.net.ConnectException;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.PrematureCloseException;

/**
 * An internal API the gateway forwards to (placement, state) that cannot be reached — its address
 * refuses connections or does not resolve, or it closes the connection before it answers — is
 * answered 503 {@code unavailable} with {@code Retry-After}, a problem-JSON body naming the service,
 * and one WARN line; not a 500 with a stack trace, as Spring's default error handling does.
 */
public final class UnreachableUpstream {

  private static final Logger log = LoggerFactory.getLogger(UnreachableUpstream.class);
  static final String RETRY_AFTER_SECONDS = "5";

  private UnreachableUpstream() {}

  /** The filter for the route to {@code service} (named in the answer and the log). */
  public static GatewayFilter of(String service) {
    return (exchange, chain) -> chain.filter(exchange).onErrorResume(UnreachableUpstream::unreachable, e -> {
      log.warn("{} {}: the {} service could not be reached: {}", exchange.getRequest().getMethod(),
          exchange.getRequest().getPath(), service, rootOf(e).toString());
      if (exchange.getResponse().isCommitted()) {
        return Mono.error(e);
      }
      exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
      return Refusals.problem(exchange, HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
          "the " + service + " service could not be reached; retry shortly");
    });
  }

  /** Nothing reached the service (or it answered nothing): connect refused, unknown host, closed early. */
  static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof PrematureCloseException) {
        return true;
      }
    }
    return false;
  }

  private static Throwable rootOf(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
