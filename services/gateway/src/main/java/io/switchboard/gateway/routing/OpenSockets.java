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

  /** A pod's count and its gauge; both go when the count returns to zero (pods come and go). */
  private record PerPod(AtomicInteger open, Gauge gauge) {}

  private final Map<String, PerPod> perPod = new ConcurrentHashMap<>();
  private final MeterRegistry registry;

  public OpenSockets(MeterRegistry registry) {
    this.registry = registry;
  }

  public int count(String pod) {
    PerPod p = perPod.get(pod);
    return p == null ? 0 : p.open().get();
  }

  public int total() {
    return perPod.values().stream().mapToInt(p -> p.open().get()).sum();
  }

  public void opened(String pod) {
    perPod.compute(pod, (key, existing) -> {
      PerPod p = existing != null ? existing : register(key);
      p.open().incrementAndGet();
      return p;
    });
  }

  public void closed(String pod) {
    perPod.computeIfPresent(pod, (key, p) -> {
      if (p.open().decrementAndGet() > 0) {
        return p;
      }
      registry.remove(p.gauge());
      return null;
    });
  }

  private PerPod register(String pod) {
    AtomicInteger n = new AtomicInteger();
    Gauge gauge = Gauge.builder("switchboard.gateway.sockets", n, AtomicInteger::get)
        .description("WebSockets this gateway proxies to a signaling pod")
        .tag("pod", pod)
        .register(registry);
    return new PerPod(n, gauge);
  }
}
