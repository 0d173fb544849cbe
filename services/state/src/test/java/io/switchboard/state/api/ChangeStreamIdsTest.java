package io.switchboard.state.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which Last-Event-IDs the stream accepts: its own ids, never one that cannot be compared. */
class ChangeStreamIdsTest {

  @Test
  void idsThisStreamSendsAreAccepted() {
    assertThat(ChangeStream.isEventId("1733300000000-0")).isTrue();
    assertThat(ChangeStream.isEventId("0-0")).isTrue();
    assertThat(ChangeStream.isEventId("9223372036854775807-9223372036854775807")).isTrue();
  }

  @Test
  void anythingElseIsRefusedBeforeItIsCompared() {
    assertThat(ChangeStream.isEventId("99999999999999999999-0")).as("20 digits").isFalse();
    assertThat(ChangeStream.isEventId("9223372036854775808-0")).as("2^63").isFalse();
    assertThat(ChangeStream.isEventId("1-9223372036854775808")).isFalse();
    assertThat(ChangeStream.isEventId("1-2-3")).isFalse();
    assertThat(ChangeStream.isEventId("-1-0")).isFalse();
    assertThat(ChangeStream.isEventId("1733300000000")).isFalse();
    assertThat(ChangeStream.isEventId("")).isFalse();
    assertThat(ChangeStream.isEventId(null)).isFalse();
    assertThat(ChangeStream.isEventId("１-０")).as("non-ASCII digits").isFalse();
  }
}
