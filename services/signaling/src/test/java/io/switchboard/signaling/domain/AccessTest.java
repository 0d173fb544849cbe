package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.Grant;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessTest {

  @Test
  void withoutATokenAnyoneMayDoAnything() {
    assertThat(Access.ANYONE.restricted()).isFalse();
    assertThat(Access.ANYONE.refusesJoin("any room", "any name")).isNull();
    for (Grant g : Grant.values()) {
      assertThat(Access.ANYONE.may(g)).isTrue();
    }
  }

  @Test
  void aTokenAllowsItsRoomUnderItsIdentityOnly() {
    Access alice = new Access("alice", "standup", Set.of(Grant.SUBSCRIBE));
    assertThat(alice.refusesJoin("standup", "alice")).isNull();
    assertThat(alice.refusesJoin("retro", "alice")).isEqualTo("the join token is for room standup, not retro");
    assertThat(alice.refusesJoin("standup", "bob")).isEqualTo("the join token is for alice, not bob");
    assertThat(alice.refusesJoin("Standup", "alice")).isNotNull(); // names are exact
    assertThat(alice.may(Grant.SUBSCRIBE)).isTrue();
    assertThat(alice.may(Grant.PUBLISH)).isFalse();
    assertThat(alice.may(Grant.RECORD)).isFalse();
  }

  @Test
  void adminMayDoEverythingAndWithRoomStarJoinAnyRoom() {
    Access admin = new Access("ops", "*", Set.of(Grant.ADMIN));
    assertThat(admin.refusesJoin("whatever", "ops")).isNull();
    assertThat(admin.refusesJoin("whatever", "someone else")).isNotNull();
    assertThat(admin.may(Grant.RECORD)).isTrue();
    // "*" without admin is just a room called "*".
    Access star = new Access("x", "*", Set.of(Grant.PUBLISH));
    assertThat(star.refusesJoin("standup", "x")).isNotNull();
  }

  @Test
  void grantsParseFromTheGatewaysHeaderIgnoringUnknownNames() {
    assertThat(Access.parseGrants("publish, subscribe,teleport,,RECORD")).containsExactlyInAnyOrder(
        Grant.PUBLISH, Grant.SUBSCRIBE);
    assertThat(Access.parseGrants(null)).isEmpty();
    assertThat(new Access("a", "r", Access.parseGrants("")).may(Grant.SUBSCRIBE)).isFalse();
  }
}
