package io.switchboard.placement.contract;

/**
 * Every Redis key and stream of room placement, in one place. All share the hash tag
 * {@code {placement}} so that the placement scripts, which touch several of them, run in one slot
 * of a Redis Cluster.
 *
 * <p>Who writes what (one writer per key):
 *
 * <ul>
 *   <li>{@link #nodes()}, {@link #node(String)}: the placement service's node registry and monitor.
 *   <li>{@link #load(String)}, {@link #room(String)}, {@link #nodeRooms(String)}: the placement
 *       scripts only — {@code place}, {@code release}, {@code evacuate}, {@code reconcile} run by
 *       placement, and {@link LoadReport#SCRIPT} run by signaling pods.
 *   <li>{@link #monitorLease(String)}: whichever placement replica currently monitors the node.
 *   <li>{@link #announcements()}: placement appends; signaling pods read.
 * </ul>
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
   * HASH of one node's registry and health: {@code url}, {@code state} (SERVING, DRAINING, DOWN),
   * {@code capacity} (endpoints), {@code heartbeat} (epoch ms of the last good poll), {@code cpu}
   * (used fraction of all cores, 0..1), {@code kmsEndpoints} and {@code kmsPipelines} (what KMS
   * reports), {@code failures}, {@code drainDeadline} (epoch ms, optional).
   */
  public static String node(String nodeId) {
    return PREFIX + "node:" + nodeId;
  }

  /**
   * HASH of one node's load as rooms report it: {@code endpoints} (live endpoints), {@code
   * participants}, {@code reserved} (endpoints promised to rooms placed but not yet built),
   * {@code rooms}.
   */
  public static String load(String nodeId) {
    return PREFIX + "load:" + nodeId;
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
