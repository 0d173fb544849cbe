package io.switchboard.state.view;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The keys are a contract with operators, tests and older replicas: their strings never change by accident. */
class PresenceViewKeysTest {

  @Test
  void everyKeySharesTheViewsHashTag() {
    assertThat(PresenceViewKeys.event("e-1")).isEqualTo("st:{view}:event:e-1");
    assertThat(PresenceViewKeys.room("standup")).isEqualTo("st:{view}:room:standup");
    assertThat(PresenceViewKeys.roomParticipants("standup")).isEqualTo("st:{view}:room:standup:participants");
    assertThat(PresenceViewKeys.roomSequences("standup")).isEqualTo("st:{view}:room:standup:seqs");
    assertThat(PresenceViewKeys.rooms()).isEqualTo("st:{view}:rooms");
    assertThat(PresenceViewKeys.user("alice")).isEqualTo("st:{view}:user:alice");
    assertThat(PresenceViewKeys.userPrefix()).isEqualTo("st:{view}:user:");
    assertThat(PresenceViewKeys.changes()).isEqualTo("st:{view}:changes");
    assertThat(PresenceViewKeys.positions()).isEqualTo("st:{view}:positions");
  }
}
