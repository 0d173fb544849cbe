package io.switchboard.placement.domain;

/** What one placement decision came to. */
public sealed interface PlacementResult {

  /** The room has a node: newly placed, or the one it already had. */
  record Placed(Placement placement, boolean existing) implements PlacementResult {}

  /**
   * No node can take the room.
   *
   * @param nodes nodes registered
   * @param serving of those, SERVING
   * @param fresh of those, with a fresh heartbeat (the rest were full)
   */
  record NoCapacity(int nodes, int serving, int fresh, int largestCapacity) implements PlacementResult {
    public String reason() {
      if (nodes == 0) {
        return "no KMS nodes are registered";
      }
      if (serving == 0) {
        return "no KMS node is serving (all draining or down)";
      }
      if (fresh == 0) {
        return "no serving KMS node has a fresh heartbeat";
      }
      return "every serving KMS node is full";
    }
  }

  /** The room needs more endpoints than any node has: retrying cannot help. */
  record TooLarge(int expectedEndpoints, int largestCapacity) implements PlacementResult {}
}
