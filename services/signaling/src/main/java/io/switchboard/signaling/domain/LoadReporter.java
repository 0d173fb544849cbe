package io.switchboard.signaling.domain;

/**
 * Tells placement how a room's load on its node changed, so the node's counters are right
 * before placement's next health poll (the contract of libs/placement-contract's LoadReport).
 */
public interface LoadReporter {

  void report(String roomId, String nodeId, int endpointDelta, int participantDelta);
}
