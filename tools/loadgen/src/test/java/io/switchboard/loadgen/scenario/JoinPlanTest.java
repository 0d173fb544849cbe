package io.switchboard.loadgen.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.groupcall.protocol.MessageDecoder;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JoinPlanTest {

  @Test
  void roomsFillSideBySideOneJoinEverySpacing() {
    List<JoinPlan.Join> plan = JoinPlan.storm(3, 2, Duration.ofMillis(100), "lg-t-");

    assertThat(plan).extracting(j -> j.room() + "/" + j.name()).containsExactly(
        "lg-t-r0/u0", "lg-t-r1/u0", "lg-t-r2/u0", "lg-t-r0/u1", "lg-t-r1/u1", "lg-t-r2/u1");
    assertThat(plan).extracting(j -> j.at().toMillis()).containsExactly(0L, 100L, 200L, 300L, 400L, 500L);
    assertThat(JoinPlan.lastJoin(plan)).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void allAtOnceWithoutSpacing() {
    assertThat(JoinPlan.storm(10, 5, Duration.ZERO, "p-")).hasSize(50).allSatisfy(j -> assertThat(j.at()).isZero());
  }

  @Test
  void namesAreUniqueInEachRoomAndSortInJoinOrder() {
    List<JoinPlan.Join> plan = JoinPlan.storm(12, 11, Duration.ZERO, "p-");

    plan.stream().collect(Collectors.groupingBy(JoinPlan.Join::room)).forEach((room, joins) ->
        assertThat(joins).extracting(JoinPlan.Join::name).doesNotHaveDuplicates().isSorted().hasSize(11));
    assertThat(plan.get(0).room()).isEqualTo("p-r00");
    assertThat(plan.get(plan.size() - 1).name()).isEqualTo("u10");
  }

  @Test
  void roomsAndNamesAreWhatTheServerAccepts() {
    for (JoinPlan.Join j : JoinPlan.storm(100, 50, Duration.ZERO, "lg-abc123-")) {
      assertThat(j.room()).matches(MessageDecoder.ROOM);
      assertThat(j.name()).matches(MessageDecoder.NAME);
    }
  }

  @Test
  void aRoomOfNEndsWithNSquaredStreams() {
    assertThat(JoinPlan.expectedStreams(JoinPlan.storm(10, 5, Duration.ZERO, "p-"))).isEqualTo(250);
    assertThat(JoinPlan.expectedStreams(JoinPlan.bigRoom(25, "p-"))).isEqualTo(625);
    assertThat(JoinPlan.expectedStreams(JoinPlan.bigRoom(1, "p-"))).isEqualTo(1);
  }

  @Test
  void aBigRoomIsOneRoomAllAtOnce() {
    List<JoinPlan.Join> plan = JoinPlan.bigRoom(50, "p-");

    assertThat(plan).hasSize(50).extracting(JoinPlan.Join::room).containsOnly("p-r0");
    assertThat(plan).allSatisfy(j -> assertThat(j.at()).isZero());
  }

  @Test
  void emptyPlansAreRefused() {
    assertThatThrownBy(() -> JoinPlan.storm(0, 5, Duration.ZERO, "p-")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JoinPlan.storm(5, 0, Duration.ZERO, "p-")).isInstanceOf(IllegalArgumentException.class);
  }
}
