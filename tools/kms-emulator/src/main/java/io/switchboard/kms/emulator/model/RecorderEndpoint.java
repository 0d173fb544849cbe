package io.switchboard.kms.emulator.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A RecorderEndpoint's states and events (trace e). No file is written: the emulator carries no
 * media. A {@code file://} URI whose directory does not exist fails the way KMS fails it: {@code
 * record} answers null, then Error events follow.
 */
final class RecorderEndpoint extends MediaElement {

  private static final Set<String> PROFILES = Set.of("WEBM", "MKV", "MP4", "WEBM_VIDEO_ONLY",
      "WEBM_AUDIO_ONLY", "MKV_VIDEO_ONLY", "MKV_AUDIO_ONLY", "MP4_VIDEO_ONLY", "MP4_AUDIO_ONLY",
      "JPEG_VIDEO_ONLY", "KURENTO_SPLIT_RECORDER", "FLV");
  private static final Set<String> EVENTS = elementEventsAnd("UriEndpointStateChanged", "Recording", "Paused", "Stopped");

  private final String uri;
  private String state = "STOP";

  RecorderEndpoint(MediaServer server, String id, MediaPipeline pipeline, Params ctor) {
    super(server, id, "RecorderEndpoint", pipeline);
    this.uri = ctor.string("uri");
    ctor.optionalEnum("mediaProfile", "MediaProfileSpecType", PROFILES);
    ctor.optionalBool("stopOnEndOfStream");
  }

  @Override
  protected List<String> hierarchy() {
    return List.of("kurento.UriEndpoint", "kurento.Endpoint", "kurento.MediaElement", "kurento.MediaObject");
  }

  @Override
  protected Set<String> events() {
    return EVENTS;
  }

  @Override
  protected boolean wantsFlowOut(String mediaType) {
    return false;
  }

  @Override
  protected boolean wantsFlowIn(String mediaType) {
    return state.equals("START") && sourceFlowing(mediaType);
  }

  @Override
  protected JsonNode operation(String operation, Params params) {
    return switch (operation) {
      case "record" -> {
        if (!state.equals("START")) {
          if (unwritable()) {
            error("RESOURCE_ERROR_OPEN", 6, "Could not open file \"" + URI.create(uri).getPath() + "\" for writing.");
            error("UNEXPECTED_ELEMENT_ERROR", 4, "GStreamer error: state change failed");
          } else {
            enter("START", "Recording");
          }
        }
        yield null;
      }
      case "pause" -> {
        if (state.equals("START")) {
          state = "PAUSE";
          server.flowInputsChanged(this);
          server.emit(this, "Paused", newData());
          server.emit(this, "UriEndpointStateChanged", newData().put("state", "PAUSE"));
          server.refreshFlows();
        }
        yield null;
      }
      // stopAndWait answers only after STOP and Stopped have been sent; here both are synchronous.
      case "stop", "stopAndWait" -> {
        if (!state.equals("STOP")) {
          enter("STOP", "Stopped");
        }
        yield null;
      }
      case "getState" -> JSON.textNode(state);
      case "getUri" -> JSON.textNode(uri);
      default -> super.operation(operation, params);
    };
  }

  private void enter(String newState, String event) {
    state = newState;
    server.flowInputsChanged(this);
    server.emit(this, "UriEndpointStateChanged", newData().put("state", newState));
    server.emit(this, event, newData());
    server.refreshFlows();
  }

  private void error(String kind, int code, String description) {
    server.emit(this, "Error", newData().put("description", description).put("errorCode", code).put("type", kind));
  }

  private boolean unwritable() {
    if (!uri.startsWith("file://")) {
      return false;
    }
    try {
      Path parent = Path.of(URI.create(uri)).getParent();
      return parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent);
    } catch (RuntimeException e) {
      return true;
    }
  }
}
