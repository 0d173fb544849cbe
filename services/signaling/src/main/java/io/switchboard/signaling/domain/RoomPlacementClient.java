package io.switchboard.signaling.domain;

/** Where a room's media lives: asked of the placement service. */
public interface RoomPlacementClient {

  /** The room's KMS node, placing the room if it has none (idempotent). */
  PlacedRoom place(String roomId, int expectedParticipants);

  /** The room ended. */
  void release(String roomId);

  /**
   * Goes through the way to placement before the pod turns ready (best effort, nothing placed): a
   * pod's first rooms would otherwise each pay for it, side by side.
   */
  default void prepare() {}

  record PlacedRoom(String nodeId, String kmsUrl) {}
}
