package io.switchboard.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodChoiceTest {

  static final List<String> PODS = List.of("10.0.0.1:8081", "10.0.0.2:8081", "10.0.0.3:8081");

  @Test
  void aKnownRoomAlwaysGoesToTheSamePodWhateverTheOrderOrLoad() {
    for (int i = 0; i < 200; i++) {
      String room = "room-" + i;
      PodChoice.Decision a = PodChoice.choose(PODS, room, null, pod -> 0);
      PodChoice.Decision b = PodChoice.choose(List.of(PODS.get(2), PODS.get(0), PODS.get(1)), room,
          PodChoice.token(PODS.get(0)), pod -> pod.equals(a.pod()) ? 1000 : 0);
      assertThat(a.reason()).isEqualTo(PodChoice.Reason.AFFINITY);
      assertThat(b.pod()).isEqualTo(a.pod());
    }
  }

  @Test
  void losingAPodMovesOnlyTheRoomsItHadAndAddingOneTakesOnlyItsShare() {
    Map<String, String> before = new HashMap<>();
    Map<String, Integer> perPod = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      String room = "r" + i;
      String pod = PodChoice.rendezvous(PODS, room);
      before.put(room, pod);
      perPod.merge(pod, 1, Integer::sum);
    }
    // Rooms spread evenly (each pod within 10% of a third).
    assertThat(perPod.values()).allSatisfy(n -> assertThat(n).isBetween(900, 1100));
    List<String> twoLeft = List.of(PODS.get(0), PODS.get(1));
    int moved = 0;
    for (Map.Entry<String, String> e : before.entrySet()) {
      String after = PodChoice.rendezvous(twoLeft, e.getKey());
      if (e.getValue().equals(PODS.get(2))) {
        moved++;
      } else {
        assertThat(after).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
    assertThat(moved).isEqualTo(perPod.get(PODS.get(2)));
    List<String> four = List.of(PODS.get(0), PODS.get(1), PODS.get(2), "10.0.0.4:8081");
    for (Map.Entry<String, String> e : before.entrySet()) {
      String after = PodChoice.rendezvous(four, e.getKey());
      assertThat(after).isIn(e.getValue(), "10.0.0.4:8081");
    }
  }

  @Test
  void withoutARoomTheStickyPodWinsWhileItIsReady() {
    String token = PodChoice.token(PODS.get(1));
    assertThat(token).matches("[0-9a-f]{16}").doesNotContain("10.0.0");
    PodChoice.Decision d = PodChoice.choose(PODS, null, token, pod -> pod.equals(PODS.get(1)) ? 50 : 0);
    assertThat(d).isEqualTo(new PodChoice.Decision(PODS.get(1), PodChoice.Reason.STICKY));
    // Its pod is gone: the least-loaded of those left.
    PodChoice.Decision gone = PodChoice.choose(List.of(PODS.get(0), PODS.get(2)), null, token,
        pod -> pod.equals(PODS.get(0)) ? 5 : 2);
    assertThat(gone).isEqualTo(new PodChoice.Decision(PODS.get(2), PodChoice.Reason.LEAST_LOADED));
    // A blank room counts as none.
    assertThat(PodChoice.choose(PODS, "", token, pod -> 0).reason()).isEqualTo(PodChoice.Reason.STICKY);
  }

  @Test
  void leastLoadedPicksTheFewestAndSpreadsTies() {
    Map<String, Integer> load = Map.of(PODS.get(0), 3, PODS.get(1), 1, PODS.get(2), 2);
    assertThat(PodChoice.choose(PODS, null, null, load::get))
        .isEqualTo(new PodChoice.Decision(PODS.get(1), PodChoice.Reason.LEAST_LOADED));
    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      picks.merge(PodChoice.choose(PODS, null, null, pod -> 0).pod(), 1, Integer::sum);
    }
    assertThat(picks).hasSize(3);
    assertThat(picks.values()).allSatisfy(n -> assertThat(n).isBetween(800, 1200));
  }

  @Test
  void thereIsNoChoiceWithoutPods() {
    assertThatThrownBy(() -> PodChoice.choose(List.of(), "r", null, pod -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
