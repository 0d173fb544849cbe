package io.switchboard.gateway.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;

/**
 * Whether the per-address limits, kept in Redis, are enforced: each time one is not (Redis away or
 * silent, so the request goes on without it) it is counted in {@code
 * switchboard_gateway_limits_unenforced_total{limit}}, and the log says so once when a limit stops
 * being enforced and once when it is again — never a line per request, which during an outage
 * would be one per client connection.
 */
public final class LimitsEnforcement {

  /** The per-address limits: the connection rate, the API request rate, the open sockets. */
  public enum Limit {
    CONNECTION_RATE("connection-rate"), API_RATE("api-rate"), SOCKETS("sockets");

    final String tag;

    Limit(String tag) {
      this.tag = tag;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(LimitsEnforcement.class);

  private final Map<Limit, Counter> unenforced;
  private final Map<Limit, AtomicBoolean> enforcing = Map.of(Limit.CONNECTION_RATE, new AtomicBoolean(true),
      Limit.API_RATE, new AtomicBoolean(true), Limit.SOCKETS, new AtomicBoolean(true));

  public LimitsEnforcement(MeterRegistry registry) {
    unenforced = Map.of(Limit.CONNECTION_RATE, counter(registry, Limit.CONNECTION_RATE),
        Limit.API_RATE, counter(registry, Limit.API_RATE), Limit.SOCKETS, counter(registry, Limit.SOCKETS));
  }

  private static Counter counter(MeterRegistry registry, Limit limit) {
    return Counter.builder("switchboard.gateway.limits.unenforced")
        .description("requests let through without a per-address limit because Redis did not answer")
        .tag("limit", limit.tag).register(registry);
  }

  /**
   * A rate limiter's answer, seen through: Spring Cloud Gateway's {@link RedisRateLimiter} lets a
   * request through when its Redis call fails, with {@code -1} tokens remaining (in its headers,
   * which the gateway keeps to itself) — that is a limit not enforced; any other answer is.
   */
  public RateLimiter.Response judged(Limit limit, RateLimiter.Response rate) {
    if ("-1".equals(rate.getHeaders().get(RedisRateLimiter.REMAINING_HEADER))) {
      unenforced(limit, "its Redis call failed");
    } else {
      enforced(limit);
    }
    return rate;
  }

  /** The limit was not enforced for one request (or socket), for this reason. */
  public void unenforced(Limit limit, String why) {
    unenforced.get(limit).increment();
    if (enforcing.get(limit).compareAndSet(true, false)) {
      log.warn("per-address {} limit not enforced while Redis does not answer ({}); requests go on without it",
          limit.tag, why);
    }
  }

  /** The limit was enforced (Redis answered). */
  public void enforced(Limit limit) {
    AtomicBoolean state = enforcing.get(limit);
    if (!state.get() && state.compareAndSet(false, true)) {
      log.info("per-address {} limit enforced again: Redis answers", limit.tag);
    }
  }
}
