package io.switchboard.placement.nodes;

/** A KMS node a discovery source knows about. */
public record DiscoveredNode(String id, String url, int capacity) {}
