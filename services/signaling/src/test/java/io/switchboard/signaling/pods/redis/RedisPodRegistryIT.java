package io.switchboard.signaling.pods.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.signaling.domain.PodRegistry.Entry;
import io.switchboard.testing.RedisFixture;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Heartbeats, dead pods and parked members against a real redis-server. */
class RedisPodRegistryIT {

  @RegisterExtension
  static final RedisFixture redis = new RedisFixture();
  RedisPodRegistry pods;

  @BeforeEach
  void empty() {
    redis.flush();
    pods = new RedisPodRegistry(redis.template);
  }

  @Test
  void aPodWhoseBeatLapsesIsDeadUntilItBeatsAgain() {
    assertThat(pods.beat("pod-a", Duration.ofMillis(300))).as("first beat").isFalse();
    assertThat(pods.beat("pod-a", Duration.ofMillis(300))).isTrue();
    pods.beat("pod-b", Duration.ofMinutes(1));
    assertThat(pods.deadPods()).isEmpty();
    assertThat(pods.alive("pod-a")).isTrue();

    await().atMost(Duration.ofSeconds(5)).until(() -> pods.deadPods().contains("pod-a"));
    assertThat(pods.deadPods()).containsExactly("pod-a");
    assertThat(pods.alive("pod-a")).isFalse();
    assertThat(pods.beat("pod-a", Duration.ofMinutes(1))).as("presumed dead meanwhile").isFalse();
    assertThat(pods.deadPods()).isEmpty();

    pods.retire("pod-b");
    assertThat(pods.deadPods()).containsExactly("pod-b");
  }

  @Test
  void oneClaimantCleansUpAfterADeadPodAndForgetsItUnlessItBeatAgain() {
    Entry alice = new Entry("room-1", "alice dé", "m-1");
    Entry bob = new Entry("room.2", "bob", "m-2");
    pods.beat("pod-a", Duration.ofMinutes(1));
    pods.serve("pod-a", alice);
    pods.serve("pod-a", bob);
    pods.unserve("pod-a", bob);
    assertThat(pods.served("pod-a")).containsExactly(alice);
    pods.retire("pod-a");

    assertThat(pods.claim("pod-a", "pod-b", Duration.ofMinutes(1))).isTrue();
    assertThat(pods.claim("pod-a", "pod-c", Duration.ofMinutes(1))).isFalse();

    pods.beat("pod-a", Duration.ofMinutes(1)); // it was only paused
    pods.forget("pod-a");
    assertThat(pods.served("pod-a")).containsExactly(alice);

    pods.retire("pod-a");
    assertThat(pods.claim("pod-a", "pod-c", Duration.ofMinutes(1))).as("claim ended with the forget").isTrue();
    pods.forget("pod-a");
    assertThat(pods.served("pod-a")).isEmpty();
    assertThat(pods.deadPods()).isEmpty();
    // A pod of the same name that starts and dies later is cleaned up again.
    pods.beat("pod-a", Duration.ofMinutes(1));
    pods.retire("pod-a");
    assertThat(pods.claim("pod-a", "pod-b", Duration.ofMinutes(1))).isTrue();
  }

  @Test
  void parkedMembersFallDueByDeadline() {
    Entry alice = new Entry("r", "alice", "m-1");
    Entry bob = new Entry("r", "bob", "m-2");
    pods.park(alice, 2_000);
    pods.park(bob, 1_000);

    assertThat(pods.due(999, 10)).isEmpty();
    assertThat(pods.due(1_500, 10)).containsExactly(bob);
    assertThat(pods.due(2_000, 10)).containsExactly(bob, alice);
    assertThat(pods.due(2_000, 1)).containsExactly(bob);
    pods.park(bob, 3_000); // parked again: the later deadline counts
    pods.unpark(alice);
    assertThat(pods.due(2_500, 10)).isEmpty();
  }
}
