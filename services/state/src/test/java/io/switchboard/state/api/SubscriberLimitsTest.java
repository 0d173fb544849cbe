package io.switchboard.state.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class SubscriberLimitsTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final SubscriberLimits limits = new SubscriberLimits(3, 2, registry);

  double refused(String reason) {
    return registry.find("switchboard.state.sse.refused").tag("reason", reason).counter() == null ? 0
        : registry.find("switchboard.state.sse.refused").tag("reason", reason).counter().count();
  }

  @Test
  void oneAddressHasAtMostItsShareAndTheReplicaAtMostItsTotal() {
    assertThat(limits.acquire("203.0.113.1")).isNull();
    assertThat(limits.acquire("203.0.113.1")).isNull();
    assertThat(limits.acquire("203.0.113.1")).isEqualTo(SubscriberLimits.ADDRESS);
    assertThat(limits.acquire("203.0.113.2")).isNull();
    assertThat(limits.acquire("203.0.113.3")).isEqualTo(SubscriberLimits.TOTAL);
    assertThat(refused("address")).isEqualTo(1);
    assertThat(refused("total")).isEqualTo(1);
    assertThat(limits.open()).isEqualTo(3);
  }

  @Test
  void aPlaceGivenBackCanBeTakenAgainAndNothingLingers() {
    limits.acquire("203.0.113.1");
    limits.acquire("203.0.113.1");
    limits.release("203.0.113.1");
    assertThat(limits.acquire("203.0.113.1")).isNull();
    limits.release("203.0.113.1");
    limits.release("203.0.113.1");
    assertThat(limits.open()).isZero();
    assertThat(limits.openFrom("203.0.113.1")).isZero();
  }
}
