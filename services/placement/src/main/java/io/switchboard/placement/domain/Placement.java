package io.switchboard.placement.domain;

import java.time.Instant;

/** A room's KMS node. */
public record Placement(String roomId, String nodeId, String kmsUrl, Instant placedAt) {}
