package io.switchboard.placement.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** Body of {@code POST /v1/nodes/{id}/drain}; optional. */
public record DrainRequest(
    @Schema(description = "Seconds until the node's remaining rooms are announced for moving; "
        + "without it the node only stops taking new rooms.", example = "300")
    Long deadlineSeconds) {}
