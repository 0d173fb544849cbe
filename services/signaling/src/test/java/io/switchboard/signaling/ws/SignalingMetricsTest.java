package io.switchboard.signaling.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SignalingMetricsTest {

  @Test
  void theOpenSocketsGaugeStillReadsAfterAGarbageCollection() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger open = new AtomicInteger(3);
    // As the socket handler does: a supplier nothing but the gauge refers to.
    new SignalingMetrics(registry, null, open::get);

    for (int i = 0; i < 3; i++) {
      System.gc();
    }

    // A weakly held supplier reads NaN here: what Prometheus scraped from every running pod.
    assertThat(registry.get("switchboard.signaling.sockets").gauge().value()).isEqualTo(3.0);
  }
}
