package io.switchboard.placement.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.placement.PlacementMetrics;
import io.switchboard.placement.RoomPlacementService;
import io.switchboard.placement.config.PlacementProperties;
import io.switchboard.placement.domain.PlacementResult;
import io.switchboard.placement.domain.IdSyntax;
import io.switchboard.placement.domain.RoomLoad;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Which KMS node hosts a room. */
@RestController
@RequestMapping("/v1/rooms/{roomId}/placement")
@Tag(name = "rooms", description = "Room placement on KMS nodes")
class RoomPlacementController {

  private final RoomPlacementService placements;
  private final PlacementMetrics metrics;
  private final PlacementProperties properties;

  RoomPlacementController(RoomPlacementService placements, PlacementMetrics metrics, PlacementProperties properties) {
    this.placements = placements;
    this.metrics = metrics;
    this.properties = properties;
  }

  @PutMapping
  @Operation(summary = "Place a room (idempotent)",
      description = "Returns the room's node, choosing and reserving one if the room has none. "
          + "Concurrent callers for one room all get the same node.")
  @ApiResponse(responseCode = "200", description = "The room's node")
  @ApiResponse(responseCode = "400", description = "Bad room id or expectedParticipants")
  @ApiResponse(responseCode = "422", description = "The room needs more endpoints than any node has")
  @ApiResponse(responseCode = "503", description = "No node can take the room now; retry after Retry-After seconds")
  ResponseEntity<Object> place(@PathVariable String roomId, @RequestBody(required = false) PlacementRequest body) {
    checkRoomId(roomId);
    Integer participants = body == null ? null : body.expectedParticipants();
    if (participants != null && (participants < 1 || participants > RoomLoad.MAX_PARTICIPANTS)) {
      metrics.rejected();
      throw ApiException.badRequest("invalid-expected-participants",
          "expectedParticipants must be between 1 and " + RoomLoad.MAX_PARTICIPANTS);
    }
    PlacementResult result = placements.place(roomId, participants);
    if (result instanceof PlacementResult.Placed placed) {
      return ResponseEntity.ok(PlacementView.of(placed.placement()));
    }
    if (result instanceof PlacementResult.TooLarge large) {
      return ResponseEntity.unprocessableEntity().body(ApiErrors.problem(HttpStatus.UNPROCESSABLE_CONTENT, "room-too-large",
          "the room needs " + large.expectedEndpoints() + " endpoints; the largest KMS node takes "
              + large.largestCapacity()));
    }
    PlacementResult.NoCapacity none = (PlacementResult.NoCapacity) result;
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, properties.retryAfter().toSeconds())))
        .body(ApiErrors.problem(HttpStatus.SERVICE_UNAVAILABLE, "no-capacity", none.reason()));
  }

  @GetMapping
  @Operation(summary = "A room's placement")
  @ApiResponse(responseCode = "404", description = "The room is not placed")
  PlacementView get(@PathVariable String roomId) {
    checkRoomId(roomId);
    return placements.find(roomId).map(PlacementView::of)
        .orElseThrow(() -> ApiException.notFound("not-placed", "room " + roomId + " is not placed"));
  }

  @DeleteMapping
  @Operation(summary = "The room ended: free its load")
  @ApiResponse(responseCode = "204", description = "Released")
  @ApiResponse(responseCode = "404", description = "The room was not placed")
  ResponseEntity<Void> release(@PathVariable String roomId) {
    checkRoomId(roomId);
    if (!placements.release(roomId)) {
      throw ApiException.notFound("not-placed", "room " + roomId + " is not placed");
    }
    return ResponseEntity.noContent().build();
  }

  private void checkRoomId(String roomId) {
    if (!IdSyntax.valid(roomId)) {
      metrics.rejected();
      throw ApiException.badRequest("invalid-room-id",
          "a room id is 1 to 128 characters of A-Z a-z 0-9 . _ ~ -");
    }
  }
}
