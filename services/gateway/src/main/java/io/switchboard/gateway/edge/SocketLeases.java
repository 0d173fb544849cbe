package io.switchboard.gateway.edge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Open sockets per client address, across every gateway replica: one sorted set per address in
 * Redis ({@link GatewayKeys#sockets}), a member per socket scored by its lease's expiry. A replica
 * renews its sockets' leases every third of the lease, so a replica that dies stops counting
 * within one lease. When Redis is away the cap is not enforced (the socket is let in, and logged):
 * sockets must not depend on Redis being up.
 */
public final class SocketLeases implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SocketLeases.class);

  /** Drops lapsed leases, refuses at the cap, else adds this one. Returns 1 if granted. */
  private static final RedisScript<Long> ACQUIRE = script("socket-lease-acquire");
  /** Pushes a live socket's lease forward (only if it is still there). */
  private static final RedisScript<Long> RENEW = script("socket-lease-renew");

  /** A granted place; release it when the socket ends. */
  public interface Lease {
    boolean granted();

    void release();
  }

  private final ReactiveStringRedisTemplate redis;
  private final int limit;
  private final Duration lease;
  private final Clock clock;
  private final LimitsEnforcement limits;
  private final String replica = UUID.randomUUID().toString();
  private final Map<String, String> live = new ConcurrentHashMap<>(); // member -> key
  private final Disposable renewal;

  public SocketLeases(ReactiveStringRedisTemplate redis, int limit, Duration lease, Clock clock,
      LimitsEnforcement limits) {
    this.redis = redis;
    this.limits = limits;
    this.limit = limit;
    this.lease = lease;
    this.clock = clock;
    this.renewal = Flux.interval(lease.dividedBy(3), Schedulers.parallel())
        .onBackpressureDrop()
        .concatMap(tick -> RedisCalls.offNetworkThreads(renewAll()).onErrorResume(e -> {
          log.warn("could not renew socket leases: {}", e.toString());
          return Mono.empty();
        }))
        .subscribe();
  }

  public Mono<Lease> acquire(String address) {
    String key = GatewayKeys.sockets(address);
    String member = replica + ":" + UUID.randomUUID();
    long now = clock.millis();
    return RedisCalls.offNetworkThreads(redis.execute(ACQUIRE, List.of(key), List.of(Long.toString(now),
            Long.toString(now + lease.toMillis()), member, Integer.toString(limit), Long.toString(lease.toMillis())))
            .next())
        .timeout(GroupCallGuardGatewayFilterFactory.REDIS_WAIT)
        .map(granted -> {
          if (granted == 1L) {
            live.put(member, key);
            return (Lease) new Held(key, member);
          }
          return REFUSED;
        })
        .doOnNext(lease -> limits.enforced(LimitsEnforcement.Limit.SOCKETS))
        .onErrorResume(e -> {
          limits.unenforced(LimitsEnforcement.Limit.SOCKETS, e instanceof java.util.concurrent.TimeoutException
              ? "no answer within " + GroupCallGuardGatewayFilterFactory.REDIS_WAIT.toMillis() + " ms" : e.toString());
          return Mono.just(UNCOUNTED);
        });
  }

  private Mono<Void> renewAll() {
    long expiry = clock.millis() + lease.toMillis();
    return Flux.fromIterable(Map.copyOf(live).entrySet())
        .flatMap(e -> redis.execute(RENEW, List.of(e.getValue()),
            List.of(Long.toString(expiry), e.getKey(), Long.toString(lease.toMillis()))), 16)
        .then();
  }

  private final class Held implements Lease {
    private final String key;
    private final String member;

    Held(String key, String member) {
      this.key = key;
      this.member = member;
    }

    @Override
    public boolean granted() {
      return true;
    }

    @Override
    public void release() {
      if (live.remove(member) != null) {
        RedisCalls.offNetworkThreads(redis.opsForZSet().remove(key, member))
            .subscribe(n -> { }, e -> log.debug("lease of {} not released now (it lapses): {}", key, e.toString()));
      }
    }
  }

  /** A lease that holds no place in Redis: refused, or let in uncounted while Redis is away. */
  private record Unheld(boolean granted) implements Lease {
    @Override
    public void release() {}
  }

  private static final Lease REFUSED = new Unheld(false);
  private static final Lease UNCOUNTED = new Unheld(true);

  /**
   * {@code resources/redis/<name>.lua}, read once. The reactive script executor runs it by SHA and
   * sends the source again only when Redis answers NOSCRIPT.
   */
  private static RedisScript<Long> script(String name) {
    String path = "redis/" + name + ".lua";
    try {
      return RedisScript.of(new ClassPathResource(path, SocketLeases.class.getClassLoader())
          .getContentAsString(StandardCharsets.UTF_8), Long.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  @Override
  public void close() {
    renewal.dispose();
  }
}
