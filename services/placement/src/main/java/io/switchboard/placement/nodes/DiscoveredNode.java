package io.switchboard.placement.nodes;

/**
 * A KMS node as discovery sees it. {@code terminating}: it is on its way out (its pod is being
 * deleted) but still serves — it takes no new rooms, and its rooms stay until it is gone or its
 * drain deadline passes, so a node rotation ends no call early.
 */
public record DiscoveredNode(String id, String url, int capacity, boolean terminating) {

  public DiscoveredNode(String id, String url, int capacity) {
    this(id, url, capacity, false);
  }
}
