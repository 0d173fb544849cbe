package io.switchboard.placement.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeSelectorTest {

  private static final Duration STALE = Duration.ofSeconds(10);
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
  private final NodeSelector leastLoaded = new LeastLoadedSelector();
  private final NodeSelector powerOfTwo = new PowerOfTwoChoicesSelector();

  private NodeLoad node(String id, int endpoints, int reserved, double cpu) {
    return new NodeLoad(id, "ws://" + id + "/kurento", NodeState.SERVING, 100, clock.instant(), cpu,
        0, 0, endpoints, reserved, 0, 0, 0, null);
  }

  private List<NodeLoad> candidates(List<NodeLoad> nodes, int expected) {
    return NodeSelector.candidates(nodes, expected, clock.instant(), STALE);
  }

  @Test
  void leastLoadedTakesTheLowestScore() {
    List<NodeLoad> nodes = List.of(node("a", 50, 0, 0.1), node("b", 20, 0, 0.1), node("c", 30, 0, 0.1));
    assertThat(leastLoaded.select(candidates(nodes, 4), new int[] {0, 0})).map(NodeLoad::id).hasValue("b");
  }

  @Test
  void cpuCountsWhenItIsTheBusierResource() {
    // b has fewer endpoints but its CPU is at 90 %.
    List<NodeLoad> nodes = List.of(node("a", 50, 0, 0.1), node("b", 20, 0, 0.9));
    assertThat(leastLoaded.select(candidates(nodes, 4), new int[] {0, 0})).map(NodeLoad::id).hasValue("a");
  }

  @Test
  void reservationsCountBeforeTheNodeReportsThem() {
    // a looks idle but has just been promised 60 endpoints: jicofo's burst correction.
    List<NodeLoad> nodes = List.of(node("a", 0, 60, 0), node("b", 30, 0, 0));
    assertThat(leastLoaded.select(candidates(nodes, 4), new int[] {0, 0})).map(NodeLoad::id).hasValue("b");
  }

  @Test
  void aNodeKmsSaysIsBusyNeverLooksIdle() {
    NodeLoad unreported = new NodeLoad("a", "ws://a", NodeState.SERVING, 100, clock.instant(), 0, 80, 3, 0, 0, 0, 0, 0, null);
    assertThat(unreported.load()).isEqualTo(80);
    assertThat(leastLoaded.select(candidates(List.of(unreported, node("b", 40, 0, 0)), 4), new int[] {0, 0}))
        .map(NodeLoad::id).hasValue("b");
  }

  @Test
  void tiesGoToTheLowerId() {
    List<NodeLoad> nodes = List.of(node("b", 10, 0, 0), node("a", 10, 0, 0), node("c", 10, 0, 0.05));
    assertThat(leastLoaded.select(candidates(nodes, 1), new int[] {0, 0})).map(NodeLoad::id).hasValue("a");
  }

  @Test
  void staleDrainingDownAndFullNodesAreNoCandidates() {
    Instant now = clock.instant();
    NodeLoad stale = new NodeLoad("stale", "u", NodeState.SERVING, 100, now.minusSeconds(11), 0, 0, 0, 0, 0, 0, 0, 0, null);
    NodeLoad justFresh = new NodeLoad("fresh", "u", NodeState.SERVING, 100, now.minusSeconds(10), 0, 0, 0, 0, 0, 0, 0, 0, null);
    NodeLoad draining = new NodeLoad("draining", "u", NodeState.DRAINING, 100, now, 0, 0, 0, 0, 0, 0, 0, 0, null);
    NodeLoad down = new NodeLoad("down", "u", NodeState.DOWN, 100, now, 0, 0, 0, 0, 0, 0, 0, 0, null);
    NodeLoad full = node("full", 90, 7, 0);
    NodeLoad exactlyFits = node("fits", 90, 6, 0);

    assertThat(candidates(List.of(stale, justFresh, draining, down, full, exactlyFits), 4))
        .extracting(NodeLoad::id).containsExactly("fits", "fresh");
  }

  @Test
  void nothingFitsMeansNoChoice() {
    assertThat(leastLoaded.select(candidates(List.of(node("a", 99, 0, 0)), 4), new int[] {0, 0})).isEmpty();
    assertThat(powerOfTwo.select(List.of(), new int[] {3, 5})).isEmpty();
  }

  @Test
  void powerOfTwoPicksTheBetterOfTwoDistinctDraws() {
    List<NodeLoad> nodes = candidates(List.of(node("a", 10, 0, 0), node("b", 50, 0, 0), node("c", 30, 0, 0)), 1);
    // draws 1 and 1: i = 1 (b), j = 1 % 2 = 1 -> skips i -> 2 (c): c is better than b
    assertThat(powerOfTwo.select(nodes, new int[] {1, 1})).map(NodeLoad::id).hasValue("c");
    // draws 2 and 0: i = 2 (c), j = 0 (a): a is better
    assertThat(powerOfTwo.select(nodes, new int[] {2, 0})).map(NodeLoad::id).hasValue("a");
    assertThat(powerOfTwo.select(nodes.subList(0, 1), new int[] {7, 9})).map(NodeLoad::id).hasValue("a");
  }

  @Test
  void powerOfTwoNeverPicksTheWorstNodeAndSpreadsLoad() {
    List<NodeLoad> nodes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      nodes.add(node("n" + i, i * 5, 0, 0));
    }
    List<NodeLoad> candidates = candidates(nodes, 1);
    Map<String, Integer> picks = new HashMap<>();
    java.util.Random random = new java.util.Random(1);
    for (int k = 0; k < 10_000; k++) {
      String id = powerOfTwo.select(candidates, new int[] {random.nextInt(Integer.MAX_VALUE),
          random.nextInt(Integer.MAX_VALUE)}).orElseThrow().id();
      picks.merge(id, 1, Integer::sum);
    }
    assertThat(picks).doesNotContainKey("n9");
    assertThat(picks.get("n0")).isGreaterThan(picks.get("n5"));
    assertThat(picks.keySet()).hasSizeGreaterThan(5);
  }

  @Test
  void roomsCostTheSquareOfTheirParticipants() {
    assertThat(RoomLoad.expectedEndpoints(1)).isEqualTo(1);
    assertThat(RoomLoad.expectedEndpoints(4)).isEqualTo(16);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RoomLoad.expectedEndpoints(0))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RoomLoad.expectedEndpoints(1001))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void roomIdsAreUrlAndKeySafe() {
    assertThat(IdSyntax.valid("team-standup_2026.11~a")).isTrue();
    assertThat(IdSyntax.valid("")).isFalse();
    assertThat(IdSyntax.valid("a b")).isFalse();
    assertThat(IdSyntax.valid("a:b")).isFalse();
    assertThat(IdSyntax.valid("..")).isFalse();
    assertThat(IdSyntax.valid(".")).isFalse();
    assertThat(IdSyntax.valid("..a")).isTrue();
    assertThat(IdSyntax.valid("x".repeat(129))).isFalse();
    assertThat(IdSyntax.valid(null)).isFalse();
  }
}
