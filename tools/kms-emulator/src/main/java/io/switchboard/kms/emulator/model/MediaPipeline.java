package io.switchboard.kms.emulator.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A pipeline: the parent of every element and the unit KMS releases a room by. */
final class MediaPipeline extends MediaObject {

  MediaPipeline(MediaServer server, String id) {
    super(server, id, "MediaPipeline", null);
    property("latencyStats", Property.Kind.BOOLEAN, JSON.booleanNode(false), true);
  }

  @Override
  protected List<String> hierarchy() {
    return List.of("kurento.MediaObject");
  }

  @Override
  protected double cpuCost() {
    return server.config().cpuPerPipeline();
  }

  @Override
  protected long memoryCost() {
    return 2_048;
  }

  @Override
  protected JsonNode operation(String operation, Params params) {
    if (operation.equals("getGstreamerDot")) {
      return JSON.textNode("digraph pipeline { label=\"" + id() + "\" }");
    }
    return super.operation(operation, params);
  }
}
