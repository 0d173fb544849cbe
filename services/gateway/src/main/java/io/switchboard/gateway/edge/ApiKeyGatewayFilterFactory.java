package io.switchboard.gateway.edge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;

/**
 * Operator APIs behind the gateway: a request needs one of {@code switchboard.gateway.api-keys} in
 * {@code X-Api-Key}, except for the methods a route leaves open (e.g. reads of the state API in
 * open mode). The key is compared in constant time and never forwarded.
 */
public final class ApiKeyGatewayFilterFactory extends AbstractGatewayFilterFactory<ApiKeyGatewayFilterFactory.Config> {

  public static final String HEADER = "X-Api-Key";

  /** Per route: the HTTP methods that need no key. */
  public static final class Config {
    private List<String> openMethods = new ArrayList<>();

    public List<String> getOpenMethods() {
      return openMethods;
    }

    public Config setOpenMethods(List<String> openMethods) {
      this.openMethods = openMethods.stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
      return this;
    }
  }

  private final List<byte[]> keys;
  private final Refusals refusals;

  public ApiKeyGatewayFilterFactory(List<String> keys, Refusals refusals) {
    super(Config.class);
    this.keys = keys.stream().filter(k -> !k.isBlank()).map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    this.refusals = refusals;
  }

  /** Whether {@code presented} is one of the configured keys. */
  public boolean valid(String presented) {
    if (presented == null || presented.isEmpty()) {
      return false;
    }
    byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (byte[] key : keys) {
      match |= MessageDigest.isEqual(key, bytes);
    }
    return match;
  }

  @Override
  public GatewayFilter apply(Config config) {
    return (exchange, chain) -> {
      // The route rewrites /api/x/** to /v1/**: a dot segment (plain or encoded) or an encoded
      // slash could climb out of /v1 once the service normalises the path.
      String raw = exchange.getRequest().getURI().getRawPath().toLowerCase(Locale.ROOT);
      if (raw.contains("..") || raw.contains("%2e") || raw.contains("%2f") || raw.contains("%5c") || raw.contains("\\")
          || raw.contains("//")) {
        return refusals.refuse(exchange, Refusal.PATH, "the path must not contain dot segments or encoded slashes");
      }
      String method = exchange.getRequest().getMethod().name();
      if (config.getOpenMethods().contains(method)) {
        return chain.filter(exchange.mutate().request(r -> r.headers(h -> h.remove(HEADER))).build());
      }
      if (!valid(exchange.getRequest().getHeaders().getFirst(HEADER))) {
        return refusals.refuse(exchange, Refusal.API_KEY, keys.isEmpty()
            ? "this API is closed: no switchboard.gateway.api-keys are configured"
            : "a valid X-Api-Key header is required");
      }
      return chain.filter(exchange.mutate().request(r -> r.headers(h -> h.remove(HEADER))).build());
    };
  }
}
