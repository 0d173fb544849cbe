package io.switchboard.placement.domain;

import java.util.List;
import java.util.Optional;

/**
 * Two distinct candidates drawn at random; the better one wins (LiveKit's and Mitzenmacher's
 * power of two choices). Nearly as even as least-loaded, and it does not send every concurrent
 * decision to the same "best" node when load figures lag.
 */
public final class PowerOfTwoChoicesSelector implements NodeSelector {

  @Override
  public Optional<NodeLoad> select(List<NodeLoad> candidates, int[] draws) {
    int count = candidates.size();
    if (count <= 1) {
      return candidates.stream().findFirst();
    }
    int i = draws[0] % count;
    int j = draws[1] % (count - 1);
    if (j >= i) {
      j++;
    }
    NodeLoad a = candidates.get(i);
    NodeLoad b = candidates.get(j);
    return Optional.of(BETTER.compare(a, b) <= 0 ? a : b);
  }

  @Override
  public String scriptName() {
    return "power-of-two";
  }
}
