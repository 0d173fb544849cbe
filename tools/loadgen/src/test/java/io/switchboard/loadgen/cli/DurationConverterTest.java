package io.switchboard.loadgen.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {

  @Test
  void asPeopleTypeThem() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(DurationConverter.parse("0s")).isZero();
  }

  @Test
  void andIsoToo() {
    assertThat(DurationConverter.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationConverter.parse("pt10s")).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void anythingElseIsAUsageError() {
    assertThatThrownBy(() -> DurationConverter.parse("ten seconds"))
        .isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining("10s");
    assertThatThrownBy(() -> DurationConverter.parse("10")).isInstanceOf(CommandLine.TypeConversionException.class);
  }
}
