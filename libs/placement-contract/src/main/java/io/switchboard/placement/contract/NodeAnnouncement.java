package io.switchboard.placement.contract;

import java.util.List;
import java.util.Map;

/**
 * An entry of the {@link PlacementKeys#announcements()} stream: the rooms on a node must move.
 * Their placements have already been removed, so the next {@code PUT .../placement} for each room
 * picks a new node. Stream fields: {@code type}, {@code nodeId}, {@code rooms} (comma-separated),
 * {@code reason}, {@code at} (epoch ms).
 *
 * @param type NODE_DOWN (the node failed its health checks or left discovery) or NODE_DRAINED (its
 *     drain deadline passed)
 */
public record NodeAnnouncement(Type type, String nodeId, List<String> rooms, String reason, long at) {

  public enum Type {
    NODE_DOWN,
    NODE_DRAINED
  }

  public NodeAnnouncement {
    rooms = List.copyOf(rooms);
  }

  /** Reads a stream entry's fields. */
  public static NodeAnnouncement fromFields(Map<String, String> fields) {
    String rooms = fields.getOrDefault("rooms", "");
    return new NodeAnnouncement(
        Type.valueOf(fields.get("type")),
        fields.get("nodeId"),
        rooms.isEmpty() ? List.of() : List.of(rooms.split(",")),
        fields.getOrDefault("reason", ""),
        Long.parseLong(fields.getOrDefault("at", "0")));
  }
}
