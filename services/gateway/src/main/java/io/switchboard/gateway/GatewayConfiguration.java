package io.switchboard.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.config.GatewayProperties;
import io.switchboard.gateway.edge.ApiKeyGatewayFilterFactory;
import io.switchboard.gateway.edge.GroupCallGuardGatewayFilterFactory;
import io.switchboard.gateway.edge.KeepAliveWebSocketService;
import io.switchboard.gateway.edge.LimitsEnforcement;
import io.switchboard.gateway.edge.Refusals;
import io.switchboard.gateway.edge.SecurityHeadersFilter;
import io.switchboard.gateway.edge.ApiRateLimitFilter;
import io.switchboard.gateway.edge.SocketLeases;
import io.switchboard.gateway.edge.UnreachableUpstream;
import io.switchboard.gateway.routing.OpenSockets;
import io.switchboard.gateway.routing.SocketTrackingFilter;
import io.switchboard.gateway.tokens.IdentitySigner;
import io.switchboard.gateway.tokens.JoinTokens;
import java.time.Clock;
import java.util.List;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.support.RouteMetadataUtils;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.reactive.socket.server.RequestUpgradeStrategy;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;

/**
 * The routes and the pieces they are made of: the one place that knows every package (with {@link
 * GatewayApplication}); no package depends on it.
 */
@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  JoinTokens joinTokens(GatewayProperties properties, Clock clock) {
    return new JoinTokens(properties.tokens(), clock);
  }

  @Bean
  OpenSockets openSockets(MeterRegistry registry) {
    return new OpenSockets(registry);
  }

  @Bean
  SocketTrackingFilter socketTrackingFilter(OpenSockets sockets, GatewayProperties properties) {
    return new SocketTrackingFilter(sockets, properties.sticky().cookie(), properties.sticky().maxAge());
  }

  @Bean
  SecurityHeadersFilter securityHeadersFilter() {
    return new SecurityHeadersFilter();
  }

  /** The connection rate per client address: the gateway's own Redis token bucket. */
  @Bean
  RedisRateLimiter connectionRateLimiter(GatewayProperties properties) {
    RedisRateLimiter limiter = new RedisRateLimiter(properties.limits().connectionsPerSecond(),
        properties.limits().connectionBurst());
    // Its answer's headers stay in the gateway (nothing copies them to a client): a remaining of -1
    // is how it says its Redis call failed (LimitsEnforcement).
    limiter.setIncludeHeaders(true);
    return limiter;
  }

  /** Counts and logs (once per outage) what the per-address limits let through unenforced. */
  @Bean
  LimitsEnforcement limitsEnforcement(MeterRegistry registry) {
    return new LimitsEnforcement(registry);
  }

  /**
   * The request rate per client address on {@code /api/**}: a token bucket of its own (not a bean,
   * so that Spring Cloud Gateway's request-rate-limiter keeps its one default).
   */
  @Bean
  ApiRateLimitFilter apiRateLimitFilter(GatewayProperties properties, Refusals refusals,
      org.springframework.context.ApplicationContext context, LimitsEnforcement limits) {
    RedisRateLimiter limiter = new RedisRateLimiter(properties.limits().apiRequestsPerSecond(),
        properties.limits().apiBurst());
    limiter.setIncludeHeaders(true); // as above: kept in the gateway
    limiter.setApplicationContext(context);
    return new ApiRateLimitFilter(limiter, properties.limits().trustForwardedFor(), refusals,
        GroupCallGuardGatewayFilterFactory.REDIS_WAIT, limits);
  }

  @Bean(destroyMethod = "close")
  SocketLeases socketLeases(ReactiveStringRedisTemplate redis, GatewayProperties properties, Clock clock,
      LimitsEnforcement limits) {
    return new SocketLeases(redis, properties.limits().socketsPerAddress(), properties.limits().socketLease(), clock,
        limits);
  }

  /** What proxied sockets are served by (the gateway's WebsocketRoutingFilter takes the primary). */
  @Bean
  @Primary
  KeepAliveWebSocketService keepAliveWebSocketService(RequestUpgradeStrategy upgrades, GatewayProperties properties,
      MeterRegistry registry) {
    return new KeepAliveWebSocketService(new HandshakeWebSocketService(upgrades),
        properties.keepAlive().pingInterval(), properties.keepAlive().idleTimeout(),
        properties.keepAlive().podHandshakeTimeout(), registry);
  }

  /** On stop, proxied clients are told to reconnect elsewhere before the server shuts down. */
  @Bean
  io.switchboard.gateway.edge.GatewayDrain gatewayDrain(KeepAliveWebSocketService sockets, GatewayProperties properties) {
    return new io.switchboard.gateway.edge.GatewayDrain(sockets, properties.shutdownDrain());
  }

  @Bean
  Refusals refusals(RequestUpgradeStrategy upgrades, MeterRegistry registry) {
    return new Refusals(new HandshakeWebSocketService(upgrades), registry);
  }

  @Bean
  io.switchboard.gateway.edge.SlowRequests slowRequests(Refusals refusals) {
    return new io.switchboard.gateway.edge.SlowRequests(refusals);
  }

  @Bean
  GroupCallGuardGatewayFilterFactory groupCallGuardGatewayFilterFactory(GatewayProperties properties,
      JoinTokens tokens, RedisRateLimiter connectionRateLimiter, SocketLeases leases, Refusals refusals, Clock clock,
      LimitsEnforcement limits) {
    return new GroupCallGuardGatewayFilterFactory(properties, tokens, connectionRateLimiter, leases, refusals,
        IdentitySigner.of(properties.identitySecret(), clock), limits);
  }

  @Bean
  ApiKeyGatewayFilterFactory apiKeyGatewayFilterFactory(GatewayProperties properties, Refusals refusals) {
    return new ApiKeyGatewayFilterFactory(properties.apiKeys(), refusals);
  }

  /**
   * {@code /groupcall} to a signaling pod of the load balancer's choosing; {@code /api/placement/**}
   * and {@code /api/state/**} to those services' {@code /v1/**}.
   */
  @Bean
  RouteLocator switchboardRoutes(RouteLocatorBuilder routes, GatewayProperties properties,
      GroupCallGuardGatewayFilterFactory guard, ApiKeyGatewayFilterFactory apiKey,
      io.switchboard.serviceauth.ServiceToken serviceToken) {
    List<String> stateOpen = properties.mode() == GatewayProperties.Mode.OPEN ? List.of("GET", "HEAD") : List.of();
    // Until the response's headers arrive (a 504 after it); a started response, e.g. the change
    // stream, is not cut.
    long apiResponseTimeout = properties.timeouts().apiResponse().toMillis();
    return routes.routes()
        .route("groupcall", r -> r.path("/groupcall")
            .filters(f -> f.filter(guard.apply(new GroupCallGuardGatewayFilterFactory.Config())))
            .uri("lb://" + GatewayProperties.SIGNALING))
        .route("placement-api", r -> r.path("/api/placement/**")
            .filters(f -> asService(f.filter(apiKey.apply(new ApiKeyGatewayFilterFactory.Config()))
                    .filter(UnreachableUpstream.of("placement")), serviceToken)
                .rewritePath("/api/placement/(?<rest>.*)", "/v1/${rest}"))
            .metadata(RouteMetadataUtils.RESPONSE_TIMEOUT_ATTR, apiResponseTimeout)
            .uri(properties.placementUrl()))
        .route("state-api", r -> r.path("/api/state/**")
            .filters(f -> asService(f.filter(apiKey.apply(new ApiKeyGatewayFilterFactory.Config().setOpenMethods(stateOpen)))
                    .filter(UnreachableUpstream.of("state")), serviceToken)
                .rewritePath("/api/state/(?<rest>.*)", "/v1/${rest}"))
            .metadata(RouteMetadataUtils.RESPONSE_TIMEOUT_ATTR, apiResponseTimeout)
            .uri(properties.stateUrl()))
        .build();
  }

  /**
   * A client has {@code timeouts.request} to send a request's body once its headers are in, with at
   * most {@code timeouts.read} between two reads (slow senders cannot hold connections open);
   * {@code server.netty.idle-timeout} closes connections that send no request. Upgraded WebSockets
   * are not requests being read: their silence is the keep-alive's business.
   */
  @Bean
  WebServerFactoryCustomizer<NettyReactiveWebServerFactory> requestTimeouts(GatewayProperties properties) {
    GatewayProperties.Timeouts timeouts = properties.timeouts();
    return factory -> factory.addServerCustomizers(
        server -> server.requestTimeout(timeouts.request()).readTimeout(timeouts.read()));
  }

  /**
   * A request the gateway forwards to an internal API carries the gateway's service token, and
   * never the client's own Authorization header.
   */
  private static org.springframework.cloud.gateway.route.builder.GatewayFilterSpec asService(
      org.springframework.cloud.gateway.route.builder.GatewayFilterSpec filters,
      io.switchboard.serviceauth.ServiceToken token) {
    return token.configured()
        ? filters.setRequestHeader(org.springframework.http.HttpHeaders.AUTHORIZATION, token.authorization())
        : filters.removeRequestHeader(org.springframework.http.HttpHeaders.AUTHORIZATION);
  }

  /** {@code switchboard.service-token}: presented to placement and state, which require it. */
  @Bean
  io.switchboard.serviceauth.ServiceToken serviceToken(org.springframework.core.env.Environment environment) {
    return io.switchboard.serviceauth.ServiceToken.fromSettings(environment,
        "placement and state will refuse what /api/placement and /api/state forward");
  }

}
