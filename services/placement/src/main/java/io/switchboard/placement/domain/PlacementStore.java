package io.switchboard.placement.domain;

import io.switchboard.placement.contract.NodeAnnouncement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where placements, the node registry and node load live (Redis, in production). */
public interface PlacementStore {

  /**
   * Picks a node by {@code selector}'s rules and reserves the room's load on it, atomically; a
   * room that is already placed gets its node back.
   */
  PlacementResult place(String roomId, int expectedEndpoints, Instant now, Duration staleAfter,
      NodeSelector selector, int[] draws);

  Optional<Placement> find(String roomId);

  /** Frees the room's load; false when it had no placement. */
  boolean release(String roomId);

  /** Every registered node, sorted by id. */
  List<NodeLoad> nodes();

  default Optional<NodeLoad> node(String nodeId) {
    return nodes().stream().filter(n -> n.id().equals(nodeId)).findFirst();
  }

  /** Adds or refreshes a node; true when it is new. */
  boolean register(String nodeId, String url, int capacity);

  /**
   * Removes a node and its counters; refused (false) unless it is DOWN and empty, so evacuate it
   * first. A node a poll revived meanwhile stays.
   */
  boolean forget(String nodeId);

  /** @param reading what the poll read, or null when it failed */
  HealthOutcome recordHealth(String nodeId, Instant now, KmsReading reading, int failuresBeforeDown);

  /**
   * Removes the placements of every room on the node and announces them.
   *
   * @param newState the node's state from now on, or null to keep it
   * @return the rooms that must move
   */
  List<String> evacuate(String nodeId, NodeState newState, NodeAnnouncement.Type type, String reason, Instant now);

  /**
   * Evacuates a DRAINING node whose deadline passed and that was not evacuated since, all checked
   * atomically with the evacuation (an undrain or a new deadline may have come meanwhile).
   *
   * @return the rooms that must move, or empty when the drain was not due
   */
  Optional<List<String>> evacuateIfDrainDue(String nodeId, Instant now);

  /** @param deadline when its rooms must move, or null for a drain without deadline */
  Optional<NodeState> drain(String nodeId, Instant deadline);

  /** Drains a SERVING node without a deadline; a node in any other state is left as it is. */
  Optional<NodeState> drainIfServing(String nodeId);

  Optional<NodeState> undrain(String nodeId);

  /**
   * Expires reservations older than {@code reservationTtl} and, unless {@code kmsEndpoints} is
   * negative, sets the node's endpoint counter to KMS's own count.
   *
   * @return the endpoint counter before
   */
  int reconcile(String nodeId, Instant now, Duration reservationTtl, int kmsEndpoints);

  /** Takes or renews the right to monitor a node; only one placement replica holds it. */
  boolean acquireMonitorLease(String nodeId, String owner, Duration ttl);


}
