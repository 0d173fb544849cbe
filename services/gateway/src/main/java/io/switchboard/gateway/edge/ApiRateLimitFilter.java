package io.switchboard.gateway.edge;

import java.time.Duration;
import java.util.Map;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Every request to {@code /api/**} ({@code POST /api/tokens}, the placement and state APIs) counts
 * against its client address's token bucket ({@code switchboard.gateway.limits.api-requests-per-second}
 * and {@code api-burst}, in Redis, shared by every replica), checked before the API key is: a client
 * cannot try keys, or mint tokens, faster than that. Over it: 429 with {@code Retry-After: 1},
 * counted as {@code switchboard_gateway_rejections_total{reason="api-rate"}}. When Redis does not
 * answer within {@link GroupCallGuardGatewayFilterFactory#REDIS_WAIT} the request goes on (the
 * limits are a guard, not a dependency), counted by {@link LimitsEnforcement}.
 */
public final class ApiRateLimitFilter implements WebFilter, Ordered {

  /** The client address as this gateway judged it, on what it forwards to the services' APIs. */
  public static final String CLIENT_HEADER = "X-Switchboard-Client";

  /** The bucket's route id in Redis (the groupcall route has its own). */
  static final String BUCKET = "api";

  private final RedisRateLimiter limiter;
  private final boolean trustForwardedFor;
  private final Refusals refusals;
  private final Duration redisWait;
  private final LimitsEnforcement limits;

  public ApiRateLimitFilter(RedisRateLimiter limiter, boolean trustForwardedFor, Refusals refusals, Duration redisWait,
      LimitsEnforcement limits) {
    this.limiter = limiter;
    this.limits = limits;
    this.trustForwardedFor = trustForwardedFor;
    this.refusals = refusals;
    this.redisWait = redisWait;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE + 10; // after the security headers, before routing and controllers
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String path = exchange.getRequest().getPath().pathWithinApplication().value();
    if (!path.startsWith("/api/")) {
      return chain.filter(exchange);
    }
    String address = ClientAddress.of(exchange.getRequest(), trustForwardedFor);
    // The limiter keys its buckets by id alone: this one's ids are apart from the sockets' bucket.
    return RedisCalls.offNetworkThreads(limiter.isAllowed(BUCKET, BUCKET + ":" + address))
        .map(rate -> limits.judged(LimitsEnforcement.Limit.API_RATE, rate))
        .timeout(redisWait, Mono.fromSupplier(() -> unenforced("no answer within " + redisWait.toMillis() + " ms")))
        .onErrorResume(e -> Mono.fromSupplier(() -> unenforced(e.toString())))
        .flatMap(rate -> {
          if (rate.isAllowed()) {
            // The services behind count per client too (state's streams): they hear who it is from
            // the gateway, never from the client.
            return chain.filter(exchange.mutate().request(r -> r.headers(h -> h.set(CLIENT_HEADER, address))).build());
          }
          exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
          return refusals.refuse(exchange, Refusal.API_RATE, "too many API requests from this address; retry in a second");
        });
  }

  private RateLimiter.Response unenforced(String why) {
    limits.unenforced(LimitsEnforcement.Limit.API_RATE, why);
    return new RateLimiter.Response(true, Map.of());
  }
}
