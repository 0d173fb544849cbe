package io.switchboard.placement.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A placement policy: which of the nodes that can take a room gets it. The same rules run inside
 * the atomic Redis script ({@code redis/place.lua}); this is their readable, unit-tested form.
 */
public interface NodeSelector {

  /** Better first: lower score, then node id (the order of the script's score index). */
  Comparator<NodeLoad> BETTER = Comparator.comparingDouble(NodeLoad::score).thenComparing(NodeLoad::id);

  /**
   * @param candidates nodes that can take the room, sorted by id
   * @param draws two non-negative random integers (power-of-two-choices uses them)
   */
  Optional<NodeLoad> select(List<NodeLoad> candidates, int[] draws);

  /** The name the Redis script knows this policy by. */
  String scriptName();

  /** Nodes that can take a room of {@code expectedEndpoints} now, sorted by id. */
  static List<NodeLoad> candidates(List<NodeLoad> nodes, int expectedEndpoints, Instant now, Duration staleAfter) {
    return nodes.stream()
        .filter(n -> n.canTake(expectedEndpoints, now, staleAfter))
        .sorted(Comparator.comparing(NodeLoad::id))
        .toList();
  }
}
