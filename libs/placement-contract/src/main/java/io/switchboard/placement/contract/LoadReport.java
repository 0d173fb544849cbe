package io.switchboard.placement.contract;

import java.util.List;

/**
 * How a signaling pod tells placement that a room's endpoints or participants changed on its KMS
 * node: run {@link #SCRIPT} (by SHA; it is loaded once) with {@link #keys(String)} and {@link
 * #args(String, String, int, int)}. The script turns the room's reservation into real counts as
 * endpoints appear, so a node's load is right before its next health poll.
 *
 * <p>The script answers {@code "ok"}, {@code "not-placed"} (the room has no placement: nothing is
 * counted) or {@code "moved"} (the room is placed on another node now: the report is stale and
 * ignored).
 */
public final class LoadReport {

  /** The Lua source: {@link PlacementScripts#PRELUDE} and {@code redis/report.lua}. */
  public static final String SCRIPT = PlacementScripts.withPrelude(PlacementScripts.resource("/redis/report.lua"));

  private LoadReport() {}

  public static List<String> keys(String roomId) {
    return List.of(PlacementKeys.room(roomId));
  }

  /**
   * @param nodeId the node the reporter built the endpoints on
   * @param endpointDelta endpoints created (positive) or released (negative)
   * @param participantDelta participants joined (positive) or left (negative)
   */
  public static List<String> args(String roomId, String nodeId, int endpointDelta, int participantDelta) {
    return List.of(PlacementKeys.PREFIX, roomId, nodeId, Integer.toString(endpointDelta), Integer.toString(participantDelta));
  }
}
