package io.switchboard.placement.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * One node as placement sees it: registry, health from the last poll, and load as rooms report
 * it. Load is counted in WebRTC endpoints, the unit that costs a KMS node CPU.
 *
 * @param capacity endpoints the node may hold
 * @param heartbeat the last good health poll ({@link Instant#EPOCH} when never polled)
 * @param cpu used fraction of all the node's cores, 0..1
 * @param kmsEndpoints endpoints KMS itself reports
 * @param endpoints endpoints signaling reports
 * @param reserved endpoints promised to rooms placed but not built yet
 */
public record NodeLoad(
    String id,
    String url,
    NodeState state,
    int capacity,
    Instant heartbeat,
    double cpu,
    int kmsEndpoints,
    int kmsPipelines,
    int endpoints,
    int reserved,
    int participants,
    int rooms,
    int failures,
    Instant drainDeadline) {

  /**
   * Endpoints the node carries or has promised: the larger of the two counts (a node that has
   * not reported yet must not look idle) plus reservations, which is what makes a burst of new
   * rooms spread (jicofo's "corrected stress").
   */
  public int load() {
    return Math.max(endpoints, kmsEndpoints) + Math.max(0, reserved);
  }

  /** 0 (idle) .. 1 (full): the higher of endpoint and CPU utilisation. */
  public double score() {
    return capacity <= 0 ? 1.0 : Math.max((double) load() / capacity, cpu);
  }

  /** Stale means unavailable: a node whose heartbeat lapsed is not a candidate. */
  public boolean fresh(Instant now, Duration staleAfter) {
    return now.toEpochMilli() - heartbeat.toEpochMilli() <= staleAfter.toMillis();
  }

  /** Can take a room of {@code expectedEndpoints} now. */
  public boolean canTake(int expectedEndpoints, Instant now, Duration staleAfter) {
    return state == NodeState.SERVING
        && fresh(now, staleAfter)
        && capacity > 0
        && load() + expectedEndpoints <= capacity;
  }
}
