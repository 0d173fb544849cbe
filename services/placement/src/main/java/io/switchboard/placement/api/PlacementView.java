package io.switchboard.placement.api;

import io.switchboard.placement.domain.Placement;
import java.time.Instant;

/** A room's placement as the API returns it. */
public record PlacementView(String roomId, String nodeId, String kmsUrl, Instant placedAt) {

  static PlacementView of(Placement p) {
    return new PlacementView(p.roomId(), p.nodeId(), p.kmsUrl(), p.placedAt());
  }
}
