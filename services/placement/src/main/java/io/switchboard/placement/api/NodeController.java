package io.switchboard.placement.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.placement.domain.NodeState;
import io.switchboard.placement.domain.PlacementStore;
import io.switchboard.placement.domain.IdSyntax;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The KMS node registry: state, load, drain. */
@RestController
@RequestMapping("/v1/nodes")
@Tag(name = "nodes", description = "KMS nodes")
class NodeController {

  private static final long MAX_DEADLINE_SECONDS = Duration.ofDays(7).toSeconds();

  private final PlacementStore store;
  private final Clock clock;

  NodeController(PlacementStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  @GetMapping
  @Operation(summary = "Every node with its state, capacity, counters, CPU, score and last heartbeat")
  List<NodeView> nodes() {
    return store.nodes().stream().map(NodeView::of).toList();
  }

  @PostMapping("/{nodeId}/drain")
  @Operation(summary = "Stop placing rooms on a node",
      description = "Existing rooms continue; with a deadline, rooms still there when it passes are announced for moving.")
  @ApiResponse(responseCode = "404", description = "Unknown node")
  Map<String, Object> drain(@PathVariable String nodeId, @RequestBody(required = false) DrainRequest body) {
    checkNodeId(nodeId);
    Long seconds = body == null ? null : body.deadlineSeconds();
    if (seconds != null && (seconds < 0 || seconds > MAX_DEADLINE_SECONDS)) {
      throw ApiException.badRequest("invalid-deadline", "deadlineSeconds must be between 0 and " + MAX_DEADLINE_SECONDS);
    }
    Instant deadline = seconds == null ? null : clock.instant().plusSeconds(seconds);
    NodeState state = known(nodeId, store.drain(nodeId, deadline));
    return deadline == null
        ? Map.of("nodeId", nodeId, "state", state.name())
        : Map.of("nodeId", nodeId, "state", state.name(), "drainDeadline", deadline.toString());
  }

  @PostMapping("/{nodeId}/undrain")
  @Operation(summary = "Place rooms on a drained node again")
  @ApiResponse(responseCode = "404", description = "Unknown node")
  Map<String, Object> undrain(@PathVariable String nodeId) {
    checkNodeId(nodeId);
    return Map.of("nodeId", nodeId, "state", known(nodeId, store.undrain(nodeId)).name());
  }

  private static NodeState known(String nodeId, Optional<NodeState> state) {
    return state.orElseThrow(() -> ApiException.notFound("unknown-node", "no KMS node " + nodeId));
  }

  private static void checkNodeId(String nodeId) {
    if (!IdSyntax.valid(nodeId)) {
      throw ApiException.badRequest("invalid-node-id", "a node id is 1 to 128 characters of A-Z a-z 0-9 . _ ~ -");
    }
  }
}
