package io.switchboard.gateway.edge;

/**
 * Every Redis key the gateway builds, in one place. The gateway holds no other state: replicas
 * share what is here, and routing needs nothing shared.
 *
 * <p>Not built here: the connection-rate token buckets, {@code request_rate_limiter.{<id>}.tokens}
 * and {@code .timestamp}, which Spring Cloud Gateway's {@code RedisRateLimiter} names and writes
 * itself (its own script, per client address of the {@code groupcall} route).
 *
 * <p>Who writes what: every key below is written by gateway replicas only, through {@link
 * SocketLeases} (the atomic steps are its scripts in {@code resources/redis/}), and read by them
 * (operators and tests read them too: {@code docs/operations.md}).
 */
public final class GatewayKeys {

  /** Every key starts with this. */
  public static final String PREFIX = "gw:";

  private GatewayKeys() {}

  /**
   * ZSET of one client address's open sockets, across every replica: a member per socket ({@code
   * <replica>:<uuid>}) scored by its lease's expiry (epoch ms), the key itself expiring one lease
   * after its last change. Written by the replica that holds the socket (acquired, renewed every
   * third of a lease, removed when the socket ends), read by every replica's cap check, which drops
   * lapsed members first. No hash tag: one key per script.
   */
  public static String sockets(String address) {
    return PREFIX + "sockets:" + address;
  }
}
