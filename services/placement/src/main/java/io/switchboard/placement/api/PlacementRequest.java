package io.switchboard.placement.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** Body of {@code PUT /v1/rooms/{roomId}/placement}; optional. */
public record PlacementRequest(
    @Schema(description = "How many participants the room expects (1..1000); its reservation is n² endpoints. "
        + "Defaults to switchboard.placement.default-expected-participants.", example = "4")
    Integer expectedParticipants) {}
