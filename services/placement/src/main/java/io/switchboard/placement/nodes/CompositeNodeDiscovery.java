package io.switchboard.placement.nodes;

import java.util.ArrayList;
import java.util.List;

/** Nodes from several sources (the static list and Kubernetes may be used together). */
public final class CompositeNodeDiscovery implements NodeDiscovery {

  private final List<NodeDiscovery> sources;

  public CompositeNodeDiscovery(List<NodeDiscovery> sources) {
    this.sources = List.copyOf(sources);
  }

  @Override
  public List<DiscoveredNode> nodes() {
    List<DiscoveredNode> all = new ArrayList<>();
    sources.forEach(s -> all.addAll(s.nodes()));
    return all;
  }

  @Override
  public boolean synced() {
    return sources.stream().allMatch(NodeDiscovery::synced);
  }
}
