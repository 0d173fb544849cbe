package io.switchboard.placement.contract;

/**
 * Every Redis key and stream of room placement, in one place. All share the hash tag
 * {@code {placement}} so that the placement scripts, which touch several of them, run in one slot
 * of a Redis Cluster.
 *
 * <p>Who writes what: every key below is written only by the placement scripts (the service's
 * {@code resources/redis/*.lua}, and {@link LoadReport#SCRIPT}, the one signaling pods run), and
 * each field of a node's hash has one owner:
 *
 * <ul>
 *   <li>registry and health fields ({@code url state capacity heartbeat cpu kmsEndpoints
 *       kmsPipelines failures drainDeadline evacuatedAt}): the placement service (registry,
 *       monitor, drain API);
 *   <li>load fields ({@code endpoints participants reserved rooms}): the placement decision
 *       scripts and {@link LoadReport}.
 * </ul>
 *
 * <p>Readers: placement reads everything; signaling reads {@link #room(String)} through the
 * placement API and {@link #announcements()} directly.
 */
public final class PlacementKeys {

  /** Every key starts with this. */
  public static final String PREFIX = "sb:{placement}:";

  private PlacementKeys() {}

  /** SET of node ids known to placement. */
  public static String nodes() {
    return PREFIX + "nodes";
  }

  /**
   * HASH of one node. Registry and health: {@code url}, {@code state} (SERVING, DRAINING, DOWN),
   * {@code capacity} (endpoints), {@code heartbeat} (epoch ms of the last good poll), {@code cpu}
   * (used fraction of all cores, 0..1), {@code kmsEndpoints} and {@code kmsPipelines} (what KMS
   * reports), {@code failures}, {@code drainDeadline} (epoch ms, optional), {@code evacuatedAt}.
   * Load as rooms report it: {@code endpoints} (live endpoints), {@code participants}, {@code
   * reserved} (endpoints promised to rooms placed but not built yet), {@code rooms}. One hash, so
   * a placement decision reads each node with one command.
   */
  public static String node(String nodeId) {
    return PREFIX + "node:" + nodeId;
  }

  /**
   * HASH, the index a placement decision reads: node id → {@code "state heartbeat capacity used
   * cpu"}, derived from the node's hash by every script that changes it (see {@link
   * PlacementScripts#PRELUDE}).
   */
  public static String candidates() {
    return PREFIX + "candidates";
  }

  /**
   * ZSET, the other index: SERVING node ids scored {@code max(used / capacity, cpu)}; a
   * least-loaded decision walks it from the lowest score. Derived like {@link #candidates()}.
   */
  public static String candidateScores() {
    return PREFIX + "candidates:scores";
  }

  /** SET of the room ids placed on a node. */
  public static String nodeRooms(String nodeId) {
    return PREFIX + "node:" + nodeId + ":rooms";
  }

  /**
   * HASH of one room's placement: {@code nodeId}, {@code url}, {@code placedAt} (epoch ms),
   * {@code expected} (endpoints reserved), {@code reported} (endpoints live), {@code participants}.
   */
  public static String room(String roomId) {
    return PREFIX + "room:" + roomId;
  }

  /** STRING: id of the placement replica that polls this node, with a short expiry. */
  public static String monitorLease(String nodeId) {
    return PREFIX + "monitor:" + nodeId;
  }

  /** STREAM of {@link NodeAnnouncement}s: rooms that must move off a node. */
  public static String announcements() {
    return PREFIX + "announcements";
  }
}
