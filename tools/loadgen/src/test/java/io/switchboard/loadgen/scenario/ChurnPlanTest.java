package io.switchboard.loadgen.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChurnPlanTest {

  @Test
  void oneJoinEveryIntervalBeforeTheEnd() {
    List<ChurnPlan.Visit> visits = ChurnPlan.visits(2, Duration.ofSeconds(5), Duration.ofSeconds(1), 3, "c-");

    assertThat(visits).hasSize(10);
    assertThat(visits).extracting(v -> v.joinAt().toMillis())
        .containsExactly(0L, 500L, 1000L, 1500L, 2000L, 2500L, 3000L, 3500L, 4000L, 4500L);
  }

  @Test
  void roomsAreJoinedInTurnAndNamesNeverRepeat() {
    List<ChurnPlan.Visit> visits = ChurnPlan.visits(10, Duration.ofSeconds(3), Duration.ofSeconds(1), 4, "c-");

    assertThat(visits).extracting(ChurnPlan.Visit::room).startsWith("c-r0", "c-r1", "c-r2", "c-r3", "c-r0");
    assertThat(visits).extracting(ChurnPlan.Visit::name).doesNotHaveDuplicates();
  }

  @Test
  void eachStaysItsTimeUnlessThatOutlastsTheRun() {
    List<ChurnPlan.Visit> visits = ChurnPlan.visits(1, Duration.ofSeconds(10), Duration.ofSeconds(4), 1, "c-");

    assertThat(visits.get(0).leaveAt()).isEqualTo(Duration.ofSeconds(4));
    assertThat(visits.get(5).leaveAt()).isEqualTo(Duration.ofSeconds(9));
    assertThat(visits.get(6).leaveAt()).isNull(); // would leave at 10 s: after the run
    assertThat(visits.get(9).leaveAt()).isNull();
  }

  @Test
  void fractionalRates() {
    assertThat(ChurnPlan.visits(0.5, Duration.ofSeconds(10), Duration.ZERO, 1, "c-")).hasSize(5);
    assertThat(ChurnPlan.visits(3, Duration.ofMillis(1000), Duration.ZERO, 1, "c-")).hasSize(3);
  }

  @Test
  void nonsenseIsRefused() {
    assertThatThrownBy(() -> ChurnPlan.visits(0, Duration.ofSeconds(1), Duration.ZERO, 1, "c-"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChurnPlan.visits(1, Duration.ZERO, Duration.ZERO, 1, "c-"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChurnPlan.visits(1, Duration.ofSeconds(1), Duration.ZERO, 0, "c-"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
