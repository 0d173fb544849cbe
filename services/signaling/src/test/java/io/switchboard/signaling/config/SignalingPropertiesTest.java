package io.switchboard.signaling.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code switchboard.signaling.*} as Spring binds it at startup. */
class SignalingPropertiesTest {

  static SignalingProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("switchboard", Bindable.of(SignalingProperties.class));
  }

  @Test
  void aSweepIntervalTooShortForItsTwoLooksStopsThePodFromStartingWithAMessageSayingWhy() {
    assertThat(bind(Map.of()).signaling().sweepInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(bind(Map.of("switchboard.signaling.sweep-interval", "30s")).signaling().sweepInterval())
        .isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> bind(Map.of("switchboard.signaling.sweep-interval", "10s")))
        .isInstanceOf(BindException.class)
        .rootCause().hasMessageContaining("switchboard.signaling.sweep-interval is PT10S: it must be at least 30s");
  }

  @Test
  void kafkaCountsAsAwayAfterTenSecondsUnansweredUnlessToldOtherwiseAndNeverSoonerThanASecond() {
    assertThat(bind(Map.of()).presence().unansweredAfter()).isEqualTo(Duration.ofSeconds(10));
    assertThat(bind(Map.of("switchboard.presence.unanswered-after", "3s")).presence().unansweredAfter())
        .isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> bind(Map.of("switchboard.presence.unanswered-after", "500ms")))
        .isInstanceOf(BindException.class)
        .rootCause().hasMessageContaining("switchboard.presence.unanswered-after is PT0.5S: it must be at least 1s");
  }
}
