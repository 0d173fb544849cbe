package io.switchboard.gateway.edge;

import io.switchboard.gateway.config.GatewayProperties;
import io.switchboard.groupcall.protocol.Grant;
import io.switchboard.groupcall.protocol.IdentityHeaders;
import io.switchboard.gateway.tokens.IdentitySigner;
import io.switchboard.gateway.tokens.JoinToken;
import io.switchboard.gateway.tokens.JoinTokens;
import io.switchboard.gateway.tokens.TokenRejectedException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;
import org.springframework.cloud.gateway.support.NotFoundException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Everything a {@code /groupcall} socket passes before it reaches a pod, cheapest first: the
 * identity headers a client might forge are removed; the Origin must be allowed; the client's
 * address must be under its connection rate and its open-socket cap (both in Redis, shared by all
 * gateway replicas); in secure mode a join token must verify. Then the verified identity, room and
 * grants travel to the pod as {@code X-Switchboard-*} headers, the token itself does not, and the
 * room (token claim, else {@code ?room=}) is left in {@link #ROOM_ATTRIBUTE} for the load balancer.
 */
public final class GroupCallGuardGatewayFilterFactory
    extends AbstractGatewayFilterFactory<GroupCallGuardGatewayFilterFactory.Config> {

  /** The subprotocol the browser client asks for alongside a token carried as a subprotocol. */
  public static final String SUBPROTOCOL = "switchboard";
  /** A subprotocol entry {@code access_token.<jwt>} carries the token (browsers cannot set headers). */
  public static final String TOKEN_PROTOCOL_PREFIX = "access_token.";
  public static final String TOKEN_QUERY = "access_token";
  /** How long a connect waits for Redis's answer on limits before letting the socket in. */
  public static final java.time.Duration REDIS_WAIT = java.time.Duration.ofMillis(300);
  /** Exchange attribute: when the request arrived (System.nanoTime), for the upgrade latency. */
  public static final String STARTED_ATTRIBUTE = "switchboard.started";
  /**
   * Exchange attribute: the room the socket was admitted for (token claim, else {@code ?room=}),
   * set on routes with room affinity; the load balancer puts the room's sockets on one pod.
   */
  public static final String ROOM_ATTRIBUTE = "switchboard.room";

  /** Per route: whether sockets need a join token, and whether a known room picks the pod. */
  public static final class Config {
    private GatewayProperties.Mode mode;
    private boolean roomAffinity = true;

    public GatewayProperties.Mode getMode() {
      return mode;
    }

    public Config setMode(GatewayProperties.Mode mode) {
      this.mode = mode;
      return this;
    }

    public boolean isRoomAffinity() {
      return roomAffinity;
    }

    public Config setRoomAffinity(boolean roomAffinity) {
      this.roomAffinity = roomAffinity;
      return this;
    }
  }

  private final GatewayProperties properties;
  private final JoinTokens tokens;
  private final RedisRateLimiter rateLimiter;
  private final SocketLeases leases;
  private final Refusals refusals;
  private final IdentitySigner assertions;
  private final LimitsEnforcement limits;
  private final CorsConfiguration origins = new CorsConfiguration();

  public GroupCallGuardGatewayFilterFactory(GatewayProperties properties, JoinTokens tokens,
      RedisRateLimiter rateLimiter, SocketLeases leases, Refusals refusals, IdentitySigner assertions,
      LimitsEnforcement limits) {
    super(Config.class);
    this.limits = limits;
    this.assertions = assertions;
    this.properties = properties;
    this.tokens = tokens;
    this.rateLimiter = rateLimiter;
    this.leases = leases;
    this.refusals = refusals;
    this.origins.setAllowedOriginPatterns(properties.allowedOrigins());
  }

  @Override
  public GatewayFilter apply(Config config) {
    GatewayProperties.Mode mode = config.getMode() != null ? config.getMode() : properties.mode();
    if (mode == GatewayProperties.Mode.SECURE && !tokens.configured()) {
      throw new IllegalStateException("secure mode needs switchboard.gateway.tokens.secret or .jwks-uri");
    }
    if (mode == GatewayProperties.Mode.SECURE && assertions == null) {
      throw new IllegalStateException("secure mode needs switchboard.gateway.identity-secret (at least 32 bytes,"
          + " the same as the signaling pods' switchboard.signaling.identity-secret): without it a pod cannot"
          + " tell the sockets this gateway admitted from anyone else's");
    }
    return (exchange, chain) -> {
      exchange.getAttributes().put(STARTED_ATTRIBUTE, System.nanoTime());
      String origin = exchange.getRequest().getHeaders().getOrigin();
      if (origin != null && origins.checkOrigin(origin) == null) {
        return refusals.refuse(exchange, Refusal.ORIGIN, "origin " + origin + " is not allowed");
      }
      String address = ClientAddress.of(exchange.getRequest(), properties.limits().trustForwardedFor());
      String routeId = "groupcall";
      return RedisCalls.offNetworkThreads(rateLimiter.isAllowed(routeId, address))
          .map(rate -> limits.judged(LimitsEnforcement.Limit.CONNECTION_RATE, rate))
          // Redis away: Lettuce would queue the call for the whole command timeout; let it in.
          .timeout(REDIS_WAIT, Mono.fromSupplier(() -> {
            limits.unenforced(LimitsEnforcement.Limit.CONNECTION_RATE,
                "no answer within " + REDIS_WAIT.toMillis() + " ms");
            return new RateLimiter.Response(true, java.util.Map.of());
          }))
          .flatMap(rate -> {
        if (!rate.isAllowed()) {
          return refusals.refuse(exchange, Refusal.RATE,
              "too many connections from this address; retry in a second");
        }
        Mono<JoinToken> verified = mode == GatewayProperties.Mode.SECURE
            ? Mono.fromCallable(() -> tokens.verify(tokenOf(exchange.getRequest())))
                .subscribeOn(Schedulers.boundedElastic()) // a JWKS fetch blocks
            : Mono.empty();
        return verified.map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty())
            .flatMap(token -> leases.acquire(address).flatMap(lease -> {
              if (!lease.granted()) {
                return refusals.refuse(exchange, Refusal.SOCKETS, "too many open sockets from this address ("
                    + properties.limits().socketsPerAddress() + ")");
              }
              // From here on the lease is released on every path: whatever throws becomes an error
              // signal inside defer, and the lifetime ends with the request or, once proxied, the socket.
              SocketLifetime lifetime = new SocketLifetime();
              lifetime.onEnd(lease::release);
              return Mono.defer(() -> {
                ServerWebExchange admitted = admit(exchange, token.orElse(null), address, config.isRoomAffinity(),
                    assertions);
                lifetime.attach(admitted);
                return chain.filter(admitted)
                    .onErrorResume(NotFoundException.class, e -> refusals.refuse(admitted, Refusal.NO_POD,
                        "no signaling pod is ready; retry shortly"));
              }).doFinally(signal -> lifetime.release());
            }))
            .onErrorResume(TokenRejectedException.class,
                e -> refusals.refuse(exchange, Refusal.TOKEN, e.getMessage()))
            .onErrorResume(io.switchboard.gateway.tokens.KeysUnavailableException.class,
                e -> refusals.refuse(exchange, Refusal.TOKEN_KEYS, e.getMessage()));
      });
    };
  }

  /** The request as the pod sees it: verified identity headers, no token anywhere. */
  private static ServerWebExchange admit(ServerWebExchange exchange, JoinToken token, String address,
      boolean affinity, IdentitySigner assertions) {
    ServerHttpRequest request = exchange.getRequest();
    String room = token != null && !JoinToken.ANY_ROOM.equals(token.room()) ? token.room()
        : request.getQueryParams().getFirst("room");
    if (affinity && room != null && !room.isBlank()) {
      exchange.getAttributes().put(ROOM_ATTRIBUTE, room);
    }
    // The query rebuilt from its decoded parameters, without the token however it was encoded.
    StringBuilder query = new StringBuilder();
    request.getQueryParams().forEach((name, values) -> {
      if (!TOKEN_QUERY.equals(name)) {
        for (String value : values) {
          query.append(query.isEmpty() ? "" : "&").append(UriUtils.encodeQueryParam(name, StandardCharsets.UTF_8));
          if (value != null) {
            query.append('=').append(UriUtils.encodeQueryParam(value, StandardCharsets.UTF_8));
          }
        }
      }
    });
    URI uri = UriComponentsBuilder.fromUri(request.getURI())
        .replaceQuery(query.isEmpty() ? null : query.toString())
        .build(true).toUri();
    List<String> protocols = new ArrayList<>();
    for (String p : Refusals.requestedProtocols(request.getHeaders())) {
      if (!p.startsWith(TOKEN_PROTOCOL_PREFIX)) {
        protocols.add(p);
      }
    }
    ServerHttpRequest admitted = request.mutate().uri(uri).headers(h -> {
      for (String name : List.copyOf(h.headerNames())) {
        if (name.toLowerCase(Locale.ROOT).startsWith("x-switchboard-")) {
          h.remove(name);
        }
      }
      h.remove(Refusals.PROTOCOL_HEADER);
      h.remove(HttpHeaders.AUTHORIZATION); // a token presented as a bearer stays here
      // Hop-by-hop: the proxy drops every header Connection names, so a client naming
      // X-Switchboard-Identity there would strip the verified identity on its way to the pod.
      h.remove(HttpHeaders.CONNECTION);
      if (Refusals.isUpgrade(exchange)) {
        h.set(HttpHeaders.CONNECTION, "Upgrade");
      }
      if (!protocols.isEmpty()) {
        h.set(Refusals.PROTOCOL_HEADER, String.join(", ", protocols));
      }
      if (token != null) {
        h.set(IdentityHeaders.IDENTITY, encode(token.identity()));
        h.set(IdentityHeaders.ROOM, encode(token.room()));
        h.set(IdentityHeaders.GRANTS, token.grants().stream().map(Grant::wire).sorted().collect(Collectors.joining(",")));
      }
      h.set(IdentityHeaders.CLIENT, address);
      if (assertions != null) {
        h.set(IdentityHeaders.ASSERTION, token != null ? assertions.sign(token, address) : assertions.signOpen(address));
      }
    }).build();
    return exchange.mutate().request(admitted).build();
  }

  /** Header values are ASCII: identity and room are percent-encoded (UTF-8). */
  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String tokenOf(ServerHttpRequest request) {
    String query = request.getQueryParams().getFirst(TOKEN_QUERY);
    if (query != null && !query.isEmpty()) {
      return query;
    }
    for (String p : Refusals.requestedProtocols(request.getHeaders())) {
      if (p.startsWith(TOKEN_PROTOCOL_PREFIX)) {
        return p.substring(TOKEN_PROTOCOL_PREFIX.length());
      }
    }
    String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    return null;
  }
}
