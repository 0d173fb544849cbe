package io.switchboard.signaling.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The keys are a contract with operators, tests and older pods: their strings never change by accident. */
class SignalingKeysTest {

  @Test
  void roomKeysShareTheRoomsHashTag() {
    assertThat(SignalingKeys.room("standup")).isEqualTo("sb:{room:standup}");
    assertThat(SignalingKeys.roomMembers("standup")).isEqualTo("sb:{room:standup}:members");
    assertThat(SignalingKeys.roomLock("standup")).isEqualTo("sb:{room:standup}:lock");
    assertThat(SignalingKeys.roomEvents("standup")).isEqualTo("sb:{room:standup}:events");
    assertThat(SignalingKeys.roomSequence("standup")).isEqualTo("sb:seq:{room:standup}");
    assertThat(SignalingKeys.session("abc123")).isEqualTo("sb:session:abc123");
    // SHA-256 of "address:192.0.2.7", its first 16 bytes.
    assertThat(SignalingKeys.openings("address:192.0.2.7")).matches("sb:\\{opener:[0-9a-f]{32}}")
        .isEqualTo(SignalingKeys.openings("address:192.0.2.7"))
        .isNotEqualTo(SignalingKeys.openings("address:192.0.2.8"));
  }

  @Test
  void podKeysShareThePodsHashTag() {
    assertThat(SignalingKeys.pods()).isEqualTo("sb:{pods}");
    assertThat(SignalingKeys.podAlive("pod-a")).isEqualTo("sb:{pods}:alive:pod-a");
    assertThat(SignalingKeys.podClaim("pod-a")).isEqualTo("sb:{pods}:claim:pod-a");
    assertThat(SignalingKeys.podMembers("pod-a")).isEqualTo("sb:{pods}:members:pod-a");
    assertThat(SignalingKeys.parked()).isEqualTo("sb:{pods}:parked");
  }

  @Test
  void everyScriptLoadsWithItsHeader() {
    for (String name : List.of("room-unlock", "room-add-member", "room-remove-member", "room-replace-member",
        "room-claim-presenter", "room-release-presenter", "room-delete-if-empty", "session-save", "pod-beat",
        "pod-forget", "room-sequence-next", "room-save", "room-reserve")) {
      String source = RedisScripts.load(name, Long.class).getScriptAsString();
      assertThat(source).as(name).startsWith("-- ").contains("KEYS[1]").contains("redis.call(");
    }
  }
}
