package io.switchboard.state.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * How many {@code /v1/stream} subscribers a replica serves: at most {@code total}, and at most
 * {@code perAddress} from one client address (as the gateway names it in
 * {@code X-Switchboard-Client}, else the connection's). Refusals are counted in
 * {@code switchboard.state.sse.refused{reason}}.
 */
final class SubscriberLimits {

  static final String TOTAL = "total";
  static final String ADDRESS = "address";

  private final int total;
  private final int perAddress;
  private final ConcurrentMap<String, Integer> byAddress = new ConcurrentHashMap<>();
  private int open;
  private final MeterRegistry registry;

  SubscriberLimits(int total, int perAddress, MeterRegistry registry) {
    this.total = total;
    this.perAddress = perAddress;
    this.registry = registry;
  }

  /** Takes a place for {@code address}; null when taken, else why not ({@link #TOTAL} or {@link #ADDRESS}). */
  synchronized String acquire(String address) {
    String refused = open >= total ? TOTAL : byAddress.getOrDefault(address, 0) >= perAddress ? ADDRESS : null;
    if (refused != null) {
      Counter.builder("switchboard.state.sse.refused").tag("reason", refused)
          .description("Stream subscriptions refused: too many in all, or from one address").register(registry)
          .increment();
      return refused;
    }
    open++;
    byAddress.merge(address, 1, Integer::sum);
    return null;
  }

  /** Gives back a place {@link #acquire} took. */
  synchronized void release(String address) {
    open--;
    byAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  synchronized int open() {
    return open;
  }

  synchronized int openFrom(String address) {
    return byAddress.getOrDefault(address, 0);
  }
}
