package io.switchboard.gateway.edge;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Security headers on every HTTP response (the browser client, the APIs, errors): no sniffing, no
 * framing, no referrer, a content security policy that lets the page talk only to this origin
 * (and its WebSocket), camera/microphone/screen for this origin only, HSTS behind TLS.
 */
public final class SecurityHeadersFilter implements WebFilter, Ordered {

  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
      + "frame-ancestors 'none'; form-action 'self'";

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    exchange.getResponse().beforeCommit(() -> {
      HttpHeaders h = exchange.getResponse().getHeaders();
      h.set("X-Content-Type-Options", "nosniff");
      h.set("X-Frame-Options", "DENY");
      h.set("Referrer-Policy", "no-referrer");
      h.set("Cross-Origin-Opener-Policy", "same-origin");
      h.set("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self), geolocation=()");
      if (!h.containsHeader("Content-Security-Policy")) {
        h.set("Content-Security-Policy", CSP);
      }
      if ("https".equalsIgnoreCase(exchange.getRequest().getHeaders().getFirst("X-Forwarded-Proto"))
          || exchange.getRequest().getSslInfo() != null) {
        h.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
      }
      return Mono.empty();
    });
    return chain.filter(exchange);
  }
}
