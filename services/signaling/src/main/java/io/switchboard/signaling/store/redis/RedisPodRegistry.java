package io.switchboard.signaling.store.redis;

import io.switchboard.signaling.domain.PodRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Pods and parked members in Redis. Keys (all share the hash tag {@code {pods}}):
 *
 * <ul>
 *   <li>{@code sb:{pods}} SET — every pod that has beaten and not been forgotten;
 *   <li>{@code sb:{pods}:alive:<pod>} STRING with a TTL — the pod's heartbeat;
 *   <li>{@code sb:{pods}:claim:<pod>} STRING with a TTL — the live pod cleaning up after a dead one;
 *   <li>{@code sb:{pods}:members:<pod>} SET of {@code room memberId name} — whom the pod serves;
 *   <li>{@code sb:{pods}:parked} ZSET of {@code room memberId name} by resume deadline (epoch ms).
 * </ul>
 *
 * Rooms have no spaces and membership ids none either, so an entry splits at its first two spaces.
 */
public final class RedisPodRegistry implements PodRegistry {

  private static final String PODS = "sb:{pods}";
  private static final String PARKED = PODS + ":parked";
  private static final RedisScript<Long> BEAT = RedisScript.of("""
      local existed = redis.call('EXISTS', KEYS[1])
      redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
      redis.call('SADD', KEYS[2], ARGV[1])
      return existed
      """, Long.class);

  /** KEYS: alive, pods, members, claim; ARGV: pod. The claim goes either way: the work is done. */
  private static final RedisScript<Long> FORGET = RedisScript.of("""
      redis.call('DEL', KEYS[4])
      if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
      redis.call('SREM', KEYS[2], ARGV[1])
      redis.call('DEL', KEYS[3])
      return 1
      """, Long.class);

  private final StringRedisTemplate redis;

  public RedisPodRegistry(StringRedisTemplate redis) {
    this.redis = redis;
  }

  static String aliveKey(String pod) {
    return PODS + ":alive:" + pod;
  }

  static String claimKey(String pod) {
    return PODS + ":claim:" + pod;
  }

  static String membersKey(String pod) {
    return PODS + ":members:" + pod;
  }

  @Override
  public boolean beat(String pod, Duration ttl) {
    Long existed = redis.execute(BEAT, List.of(aliveKey(pod), PODS), pod, Long.toString(ttl.toMillis()));
    return existed != null && existed == 1;
  }

  @Override
  public boolean alive(String pod) {
    return Boolean.TRUE.equals(redis.hasKey(aliveKey(pod)));
  }

  @Override
  public void retire(String pod) {
    redis.delete(aliveKey(pod));
  }

  @Override
  public Set<String> deadPods() {
    Set<String> dead = new LinkedHashSet<>();
    Set<String> pods = redis.opsForSet().members(PODS);
    if (pods != null) {
      for (String pod : pods) {
        if (!alive(pod)) {
          dead.add(pod);
        }
      }
    }
    return dead;
  }

  @Override
  public boolean claim(String deadPod, String claimant, Duration ttl) {
    return Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(claimKey(deadPod), claimant, ttl));
  }

  @Override
  public void forget(String deadPod) {
    redis.execute(FORGET, List.of(aliveKey(deadPod), PODS, membersKey(deadPod), claimKey(deadPod)), deadPod);
  }

  @Override
  public void serve(String pod, Entry member) {
    redis.opsForSet().add(membersKey(pod), encode(member));
  }

  @Override
  public void unserve(String pod, Entry member) {
    redis.opsForSet().remove(membersKey(pod), encode(member));
  }

  @Override
  public List<Entry> served(String pod) {
    Set<String> entries = redis.opsForSet().members(membersKey(pod));
    return entries == null ? List.of() : entries.stream().map(RedisPodRegistry::decode).toList();
  }

  @Override
  public void park(Entry member, long deadlineMillis) {
    redis.opsForZSet().add(PARKED, encode(member), deadlineMillis);
  }

  @Override
  public void unpark(Entry member) {
    redis.opsForZSet().remove(PARKED, encode(member));
  }

  @Override
  public List<Entry> due(long nowMillis, int limit) {
    Set<String> entries = redis.opsForZSet().rangeByScore(PARKED, 0, nowMillis, 0, limit);
    return entries == null ? List.of() : new ArrayList<>(entries.stream().map(RedisPodRegistry::decode).toList());
  }

  static String encode(Entry e) {
    return e.roomId() + " " + e.memberId() + " " + e.name();
  }

  static Entry decode(String value) {
    String[] f = value.split(" ", 3);
    return new Entry(f[0], f[2], f[1]);
  }
}
