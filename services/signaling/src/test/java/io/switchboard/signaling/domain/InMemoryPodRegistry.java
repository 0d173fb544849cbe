package io.switchboard.signaling.domain;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A {@link PodRegistry} in memory with {@code RedisPodRegistry}'s semantics, beats and claims
 * lapsing by the injected clock: a beat or claim of {@code ttl} made at {@code t} holds through
 * {@code t + ttl} and has lapsed once the clock is past it (as a Redis key with a TTL).
 * Synchronized: each method is one atomic step.
 */
public final class InMemoryPodRegistry implements PodRegistry {

  /** Parked members with equal deadlines come in the order Redis sorts them: by their encoding's bytes. */
  private static final Comparator<Map.Entry<Entry, Long>> DUE_ORDER =
      Comparator.comparingLong((Map.Entry<Entry, Long> e) -> e.getValue())
          .thenComparing(e -> encode(e.getKey()), (a, b) -> Arrays.compareUnsigned(a, b));

  private record Claim(String claimant, long expiresAtMillis) {}

  private final Clock clock;
  /** Every pod that has beaten and not been forgotten, in order of first beat. */
  private final Set<String> pods = new LinkedHashSet<>();
  /** Pod → when its last beat lapses. */
  private final Map<String, Long> beats = new HashMap<>();
  private final Map<String, Claim> claims = new HashMap<>();
  private final Map<String, Set<Entry>> served = new HashMap<>();
  private final Map<Entry, Long> parked = new LinkedHashMap<>();

  public InMemoryPodRegistry(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized boolean beat(String pod, Duration ttl) {
    boolean wasAlive = alive(pod);
    beats.put(pod, now() + ttl.toMillis());
    pods.add(pod);
    return wasAlive;
  }

  @Override
  public synchronized boolean alive(String pod) {
    Long until = beats.get(pod);
    return until != null && now() <= until;
  }

  @Override
  public synchronized void retire(String pod) {
    beats.remove(pod);
  }

  @Override
  public synchronized Set<String> deadPods() {
    Set<String> dead = new LinkedHashSet<>();
    for (String pod : pods) {
      if (!alive(pod)) {
        dead.add(pod);
      }
    }
    return dead;
  }

  @Override
  public synchronized boolean claim(String deadPod, String claimant, Duration ttl) {
    if (claimant(deadPod) != null) {
      return false;
    }
    claims.put(deadPod, new Claim(claimant, now() + ttl.toMillis()));
    return true;
  }

  /** Who holds the claim on cleaning up after {@code deadPod} now, or null (for assertions). */
  public synchronized String claimant(String deadPod) {
    Claim claim = claims.get(deadPod);
    return claim == null || now() > claim.expiresAtMillis() ? null : claim.claimant();
  }

  @Override
  public synchronized void forget(String deadPod) {
    claims.remove(deadPod);
    if (alive(deadPod)) {
      return;
    }
    pods.remove(deadPod);
    served.remove(deadPod);
  }

  /** Every pod known (beaten and not forgotten), alive or not (for assertions). */
  public synchronized Set<String> pods() {
    return new LinkedHashSet<>(pods);
  }

  @Override
  public synchronized void serve(String pod, Entry member) {
    served.computeIfAbsent(pod, p -> new LinkedHashSet<>()).add(member);
  }

  @Override
  public synchronized void unserve(String pod, Entry member) {
    Set<Entry> entries = served.get(pod);
    if (entries != null && entries.remove(member) && entries.isEmpty()) {
      served.remove(pod);
    }
  }

  @Override
  public synchronized List<Entry> served(String pod) {
    return new ArrayList<>(served.getOrDefault(pod, Set.of()));
  }

  /** Parking again replaces the deadline (a sorted set's score). */
  @Override
  public synchronized void park(Entry member, long deadlineMillis) {
    parked.put(member, deadlineMillis);
  }

  @Override
  public synchronized void unpark(Entry member) {
    parked.remove(member);
  }

  /** Deadlines from 0 to {@code nowMillis}, earliest first; a negative {@code limit} means all. */
  @Override
  public synchronized List<Entry> due(long nowMillis, int limit) {
    return parked.entrySet().stream()
        .filter(e -> e.getValue() >= 0 && e.getValue() <= nowMillis)
        .sorted(DUE_ORDER)
        .limit(limit < 0 ? Long.MAX_VALUE : limit)
        .map(Map.Entry::getKey)
        .collect(Collectors.toCollection(ArrayList::new));
  }

  /** When a member's resume wait ends, if it is parked (for assertions). */
  public synchronized Long parkedUntil(Entry member) {
    return parked.get(member);
  }

  private long now() {
    return clock.millis();
  }

  /** As RedisPodRegistry encodes an entry. */
  private static byte[] encode(Entry e) {
    return (e.roomId() + " " + e.memberId() + " " + e.name()).getBytes(StandardCharsets.UTF_8);
  }
}
