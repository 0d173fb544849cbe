package io.switchboard.gateway.routing;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_LOADBALANCER_RESPONSE_ATTR;

import java.time.Duration;
import io.switchboard.gateway.edge.SocketLifetime;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.ReactiveLoadBalancerClientFilter;
import org.springframework.core.Ordered;
import org.springframework.http.ResponseCookie;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Right after the load balancer chose a signaling pod: the socket counts against that pod (for
 * least-loaded routing and the per-pod gauge) until it ends, and the response carries the sticky
 * cookie that brings this client back to the pod on its next connect.
 */
public final class SocketTrackingFilter implements GlobalFilter, Ordered {

  private final OpenSockets sockets;
  private final String cookie;
  private final Duration maxAge;

  public SocketTrackingFilter(OpenSockets sockets, String cookie, Duration maxAge) {
    this.sockets = sockets;
    this.cookie = cookie;
    this.maxAge = maxAge;
  }

  @Override
  public int getOrder() {
    return ReactiveLoadBalancerClientFilter.LOAD_BALANCER_CLIENT_FILTER_ORDER + 1;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
    Response<?> response = exchange.getAttribute(GATEWAY_LOADBALANCER_RESPONSE_ATTR);
    if (!(response instanceof RoomAffinityLoadBalancer.Routed routed) || routed.getServer() == null) {
      return chain.filter(exchange);
    }
    String pod = RoomAffinityLoadBalancer.key(routed.getServer());
    boolean secure = "https".equalsIgnoreCase(exchange.getRequest().getHeaders().getFirst("X-Forwarded-Proto"))
        || exchange.getRequest().getSslInfo() != null;
    exchange.getResponse().addCookie(ResponseCookie.from(cookie, PodChoice.token(pod))
        .path("/groupcall").httpOnly(true).secure(secure).sameSite("Lax").maxAge(maxAge).build());
    sockets.opened(pod);
    SocketLifetime lifetime = SocketLifetime.of(exchange);
    if (lifetime == null) {
      return chain.filter(exchange).doFinally(signal -> sockets.closed(pod));
    }
    lifetime.onEnd(() -> sockets.closed(pod));
    return chain.filter(exchange);
  }
}
