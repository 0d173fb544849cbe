package io.switchboard.gateway.routing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sockets this gateway replica proxies, per signaling pod (key host:port): what least-loaded
 * routing compares, and {@code switchboard_gateway_sockets{pod}}.
 */
public final class OpenSockets {

  private final Map<String, AtomicInteger> perPod = new ConcurrentHashMap<>();
  private final MeterRegistry registry;

  public OpenSockets(MeterRegistry registry) {
    this.registry = registry;
  }

  public int count(String pod) {
    AtomicInteger n = perPod.get(pod);
    return n == null ? 0 : n.get();
  }

  public int total() {
    return perPod.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  public void opened(String pod) {
    counter(pod).incrementAndGet();
  }

  public void closed(String pod) {
    counter(pod).decrementAndGet();
  }

  private AtomicInteger counter(String pod) {
    return perPod.computeIfAbsent(pod, p -> {
      AtomicInteger n = new AtomicInteger();
      Gauge.builder("switchboard.gateway.sockets", n, AtomicInteger::get)
          .description("WebSockets this gateway proxies to a signaling pod")
          .tag("pod", p)
          .register(registry);
      return n;
    });
  }
}
