package io.switchboard.signaling.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;

/** {@code switchboard.signaling.*} as Spring binds (and validates) it at startup. */
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

  /** As at startup: bound, then its constraints checked. */
  static SignalingProperties bindValidated(Map<String, String> values) {
    LocalValidatorFactoryBean validator = new LocalValidatorFactoryBean();
    validator.afterPropertiesSet();
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("switchboard", Bindable.of(SignalingProperties.class), new ValidationBindHandler(validator));
  }

  @Test
  void tenRoomsJoinBeforeAPodIsReadyUnlessToldOtherwiseAndACountOutsideZeroToAHundredStopsIt() {
    assertThat(bindValidated(Map.of()).signaling().joinRehearsalRooms()).isEqualTo(10);
    assertThat(bindValidated(Map.of("switchboard.signaling.join-rehearsal-rooms", "0")).signaling()
        .joinRehearsalRooms()).as("none").isZero();
    for (String wrong : new String[] {"-1", "101"}) {
      assertThatThrownBy(() -> bindValidated(Map.of("switchboard.signaling.join-rehearsal-rooms", wrong)))
          .isInstanceOf(BindException.class)
          .cause().isInstanceOf(BindValidationException.class)
          .hasMessageContaining("switchboard.signaling.join-rehearsal-rooms");
    }
  }
}
