package io.switchboard.signaling.pods.redis;

import io.switchboard.signaling.domain.PodRegistry;
import io.switchboard.signaling.redis.RedisScripts;
import io.switchboard.signaling.redis.SignalingKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Pods and parked members in Redis: {@link SignalingKeys#pods}, {@link SignalingKeys#podAlive},
 * {@link SignalingKeys#podClaim}, {@link SignalingKeys#podMembers} and {@link
 * SignalingKeys#parked} (what each holds is said there). Member entries are {@code room memberId
 * name}: rooms have no spaces and membership ids none either, so an entry splits at its first two
 * spaces.
 */
public final class RedisPodRegistry implements PodRegistry {

  private static final String PODS = SignalingKeys.pods();
  private static final String PARKED = SignalingKeys.parked();
  private static final RedisScript<Long> BEAT = RedisScripts.load("pod-beat", Long.class);
  /** The claim goes either way: the work is done. */
  private static final RedisScript<Long> FORGET = RedisScripts.load("pod-forget", Long.class);

  private final StringRedisTemplate redis;

  public RedisPodRegistry(StringRedisTemplate redis) {
    this.redis = redis;
  }

  @Override
  public boolean beat(String pod, Duration ttl) {
    Long existed = redis.execute(BEAT, List.of(SignalingKeys.podAlive(pod), PODS), pod,
        Long.toString(ttl.toMillis()));
    return existed != null && existed == 1;
  }

  @Override
  public boolean alive(String pod) {
    return Boolean.TRUE.equals(redis.hasKey(SignalingKeys.podAlive(pod)));
  }

  @Override
  public void retire(String pod) {
    redis.delete(SignalingKeys.podAlive(pod));
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
    return Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(SignalingKeys.podClaim(deadPod), claimant, ttl));
  }

  @Override
  public void forget(String deadPod) {
    redis.execute(FORGET, List.of(SignalingKeys.podAlive(deadPod), PODS, SignalingKeys.podMembers(deadPod),
        SignalingKeys.podClaim(deadPod)), deadPod);
  }

  @Override
  public void serve(String pod, Entry member) {
    redis.opsForSet().add(SignalingKeys.podMembers(pod), encode(member));
  }

  @Override
  public void unserve(String pod, Entry member) {
    redis.opsForSet().remove(SignalingKeys.podMembers(pod), encode(member));
  }

  @Override
  public List<Entry> served(String pod) {
    Set<String> entries = redis.opsForSet().members(SignalingKeys.podMembers(pod));
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
