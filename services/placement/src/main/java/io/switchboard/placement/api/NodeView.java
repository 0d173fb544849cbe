package io.switchboard.placement.api;

import io.switchboard.placement.domain.NodeLoad;
import java.time.Instant;

/** A node as {@code GET /v1/nodes} returns it. */
public record NodeView(
    String id,
    String url,
    String state,
    int capacity,
    int load,
    int endpoints,
    int kmsEndpoints,
    int kmsPipelines,
    int reserved,
    int participants,
    int rooms,
    double cpu,
    double score,
    Instant lastHeartbeat,
    int failedPolls,
    Instant drainDeadline) {

  static NodeView of(NodeLoad n) {
    return new NodeView(n.id(), n.url(), n.state().name(), n.capacity(), n.load(), n.endpoints(), n.kmsEndpoints(),
        n.kmsPipelines(), n.reserved(), n.participants(), n.rooms(), n.cpu(), n.score(),
        n.heartbeat().toEpochMilli() == 0 ? null : n.heartbeat(), n.failures(), n.drainDeadline());
  }
}
