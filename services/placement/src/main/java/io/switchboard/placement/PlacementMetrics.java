package io.switchboard.placement;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.switchboard.placement.contract.NodeAnnouncement;
import io.switchboard.placement.domain.HealthOutcome;
import io.switchboard.placement.domain.NodeLoad;
import io.switchboard.placement.domain.NodeState;
import io.switchboard.placement.domain.PlacementResult;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Placement's meters (names under {@code switchboard.placement}; see docs/operations.md). */
public final class PlacementMetrics {

  private final MeterRegistry registry;
  private final Timer decisionLatency;
  private final Counter released;
  private final MultiGauge nodesByState;
  private final MultiGauge nodeScore;
  private final MultiGauge nodeLoad;
  private final MultiGauge nodeReserved;
  private final MultiGauge nodeEndpoints;
  private final MultiGauge nodeCpu;

  public PlacementMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.decisionLatency = Timer.builder("switchboard.placement.decision.latency")
        .description("Time to decide and reserve one room placement, Redis round trip included")
        .publishPercentileHistogram()
        .register(registry);
    this.released = Counter.builder("switchboard.placement.releases")
        .description("Room placements released because the room ended")
        .register(registry);
    this.nodesByState = MultiGauge.builder("switchboard.placement.nodes")
        .description("Registered KMS nodes by state").register(registry);
    this.nodeScore = MultiGauge.builder("switchboard.placement.node.score")
        .description("Node score, 0 idle .. 1 full (higher of endpoint and CPU use)").register(registry);
    this.nodeLoad = MultiGauge.builder("switchboard.placement.node.load")
        .description("Endpoints a node carries or has promised").baseUnit("endpoints").register(registry);
    this.nodeReserved = MultiGauge.builder("switchboard.placement.node.reserved")
        .description("Endpoints reserved for rooms not yet built").baseUnit("endpoints").register(registry);
    this.nodeEndpoints = MultiGauge.builder("switchboard.placement.node.kms")
        .description("Endpoints KMS reports alive").baseUnit("endpoints").register(registry);
    this.nodeCpu = MultiGauge.builder("switchboard.placement.node.cpu")
        .description("Used fraction of a node's CPU").register(registry);
  }

  void decided(PlacementResult result, long nanos) {
    String outcome = result instanceof PlacementResult.Placed p
        ? (p.existing() ? "existing" : "placed")
        : result instanceof PlacementResult.TooLarge ? "too_large" : "no_capacity";
    decisionLatency.record(nanos, TimeUnit.NANOSECONDS);
    decision(outcome).increment();
  }

  /** A request rejected before any decision (bad input). */
  public void rejected() {
    decision("invalid").increment();
  }

  private Counter decision(String outcome) {
    return Counter.builder("switchboard.placement.decisions")
        .description("Placement decisions by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  void released() {
    released.increment();
  }

  public void polled(String nodeId, HealthOutcome outcome) {
    Counter.builder("switchboard.placement.health.polls")
        .description("KMS health polls by outcome")
        .tags("node", nodeId, "outcome", outcome.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  public void evacuated(NodeAnnouncement.Type type, int rooms) {
    Counter.builder("switchboard.placement.evacuated.rooms")
        .description("Rooms announced for moving off a node")
        .tag("type", type.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment(rooms);
  }

  /** Refreshes the per-node and per-state gauges from a registry snapshot. */
  public void nodes(List<NodeLoad> nodes) {
    Map<NodeState, Integer> byState = new EnumMap<>(NodeState.class);
    for (NodeState s : NodeState.values()) {
      byState.put(s, 0);
    }
    nodes.forEach(n -> byState.merge(n.state(), 1, Integer::sum));
    List<MultiGauge.Row<?>> states = new ArrayList<>();
    byState.forEach((s, count) -> states.add(MultiGauge.Row.of(Tags.of("state", s.name().toLowerCase(Locale.ROOT)), count)));
    nodesByState.register(states, true);
    nodeScore.register(rows(nodes, NodeLoad::score), true);
    nodeLoad.register(rows(nodes, n -> n.load()), true);
    nodeReserved.register(rows(nodes, n -> n.reserved()), true);
    nodeEndpoints.register(rows(nodes, n -> n.kmsEndpoints()), true);
    nodeCpu.register(rows(nodes, NodeLoad::cpu), true);
  }

  private static List<MultiGauge.Row<?>> rows(List<NodeLoad> nodes, java.util.function.ToDoubleFunction<NodeLoad> value) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (NodeLoad n : nodes) {
      rows.add(MultiGauge.Row.of(Tags.of("node", n.id()), value.applyAsDouble(n)));
    }
    return rows;
  }
}
