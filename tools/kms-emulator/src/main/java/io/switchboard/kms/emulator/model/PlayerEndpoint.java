package io.switchboard.kms.emulator.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A PlayerEndpoint without media: it reports the states and flow a playing file would, and a
 * {@code file://} URI that does not exist fails the way KMS fails it ({@code play} answers null,
 * then an Error event with type INVALID_URI). It never reaches EndOfStream on its own.
 */
final class PlayerEndpoint extends MediaElement {

  private static final Set<String> EVENTS = elementEventsAnd("UriEndpointStateChanged", "EndOfStream");

  private final String uri;
  private String state = "STOP";
  private long positionMillis;
  private long playingSince;

  PlayerEndpoint(MediaServer server, String id, MediaPipeline pipeline, Params ctor) {
    super(server, id, "PlayerEndpoint", pipeline);
    this.uri = ctor.string("uri");
    ctor.optionalBool("useEncodedMedia");
    ctor.optionalInteger("networkCache");
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
    return state.equals("START");
  }

  @Override
  protected boolean wantsFlowIn(String mediaType) {
    return false;
  }

  @Override
  protected JsonNode operation(String operation, Params params) {
    return switch (operation) {
      case "play" -> {
        if (missingFile()) {
          server.emit(this, "Error", newData().put("description", "Invalid URI").put("errorCode", 0)
              .put("type", "INVALID_URI"));
        } else if (!state.equals("START")) {
          playingSince = server.clock().millis();
          enter("START");
        }
        yield null;
      }
      case "pause" -> {
        if (state.equals("START")) {
          positionMillis += server.clock().millis() - playingSince;
          enter("PAUSE");
        }
        yield null;
      }
      case "stop" -> {
        if (!state.equals("STOP")) {
          positionMillis = 0;
          enter("STOP");
        }
        yield null;
      }
      case "getState" -> JSON.textNode(state);
      case "getUri" -> JSON.textNode(uri);
      case "getPosition" -> JSON.numberNode(position());
      case "setPosition" -> {
        positionMillis = params.required().longValue("position");
        playingSince = server.clock().millis();
        yield null;
      }
      case "getVideoInfo" -> JSON.objectNode().put("__module__", "kurento").put("__type__", "VideoInfo")
          .put("duration", 0).put("isSeekable", false).put("seekableEnd", 0).put("seekableInit", 0);
      default -> super.operation(operation, params);
    };
  }

  private long position() {
    return state.equals("START") ? positionMillis + server.clock().millis() - playingSince : positionMillis;
  }

  private void enter(String newState) {
    state = newState;
    server.flowInputsChanged(this);
    server.emit(this, "UriEndpointStateChanged", newData().put("state", newState));
    server.refreshFlows();
  }

  private boolean missingFile() {
    if (!uri.startsWith("file://")) {
      return false;
    }
    try {
      return !Files.isReadable(Path.of(URI.create(uri)));
    } catch (RuntimeException e) {
      return true;
    }
  }
}
