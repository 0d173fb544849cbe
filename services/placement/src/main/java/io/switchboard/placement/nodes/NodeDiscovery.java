package io.switchboard.placement.nodes;

import java.util.List;

/** Where KMS nodes come from: configuration, or the Kubernetes API. */
public interface NodeDiscovery {

  /** The nodes known now. */
  List<DiscoveredNode> nodes();

  /**
   * False until the source has listed its nodes once: until then a node missing from {@link
   * #nodes()} has not left, it just has not been seen yet.
   */
  default boolean synced() {
    return true;
  }
}
