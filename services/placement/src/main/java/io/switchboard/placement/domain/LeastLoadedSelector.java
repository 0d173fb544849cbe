package io.switchboard.placement.domain;

import java.util.List;
import java.util.Optional;

/** The lowest score wins. Best spread; every decision looks at every node. */
public final class LeastLoadedSelector implements NodeSelector {

  @Override
  public Optional<NodeLoad> select(List<NodeLoad> candidates, int[] draws) {
    return candidates.stream().min(BETTER);
  }

  @Override
  public String scriptName() {
    return "least-loaded";
  }
}
