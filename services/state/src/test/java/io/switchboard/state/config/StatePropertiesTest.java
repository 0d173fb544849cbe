package io.switchboard.state.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code switchboard.state.*} as Spring binds it at startup. */
class StatePropertiesTest {

  static StateProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("switchboard.state", Bindable.of(StateProperties.class));
  }

  @Test
  void roomExpiryIsOffOrLongerThanThreeSweeps() {
    assertThat(bind(Map.of()).roomExpiry()).isEqualTo(Duration.ofMinutes(5));
    assertThat(bind(Map.of("switchboard.state.room-expiry", "0")).roomExpiry()).isZero();
    assertThat(bind(Map.of("switchboard.state.room-expiry", "3m")).roomExpiry()).isEqualTo(Duration.ofMinutes(3));
    for (String tooShort : new String[] {"90s", "-5m"}) {
      assertThatThrownBy(() -> bind(Map.of("switchboard.state.room-expiry", tooShort))).as(tooShort)
          .isInstanceOf(BindException.class)
          .rootCause().hasMessageContaining("switchboard.state.room-expiry is")
          .hasMessageContaining("it must be 0 (off) or at least 3m");
    }
  }

  @Test
  void kafkaMetricsRefreshIsAMinuteUnlessSetAndLongerThanZero() {
    assertThat(bind(Map.of()).kafkaMetricsRefresh()).isEqualTo(Duration.ofSeconds(60));
    assertThat(bind(Map.of("switchboard.state.kafka-metrics-refresh", "5s")).kafkaMetricsRefresh())
        .isEqualTo(Duration.ofSeconds(5));
    for (String notPositive : new String[] {"0", "-5s"}) {
      assertThatThrownBy(() -> bind(Map.of("switchboard.state.kafka-metrics-refresh", notPositive))).as(notPositive)
          .isInstanceOf(BindException.class)
          .rootCause().hasMessageContaining("switchboard.state.kafka-metrics-refresh is")
          .hasMessageContaining("it must be longer than 0");
    }
  }
}
