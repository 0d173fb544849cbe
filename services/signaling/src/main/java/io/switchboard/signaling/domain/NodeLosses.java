package io.switchboard.signaling.domain;

import java.util.List;
import java.util.function.Consumer;

/**
 * Placement's announcements that a KMS node is gone and which rooms must move (a Redis stream, in
 * production). Every pod hears every announcement; the room store's creation lock decides which
 * pod rebuilds a room ({@link GroupCallService#nodeLost}).
 */
public interface NodeLosses extends AutoCloseable {

  /**
   * A node is gone.
   *
   * @param down true when the node died; false when it was drained past its deadline (it is still there)
   * @param rooms the rooms that were on it, whose placements placement has removed
   * @param reason what placement says happened, for logs
   */
  record NodeLoss(String nodeId, boolean down, List<String> rooms, String reason) {
    public NodeLoss {
      rooms = List.copyOf(rooms);
    }
  }

  /** Hands every loss announced from now on to {@code listener}, on a thread of its own. */
  void start(Consumer<NodeLoss> listener);

  /** Stops listening. */
  @Override
  void close();
}
