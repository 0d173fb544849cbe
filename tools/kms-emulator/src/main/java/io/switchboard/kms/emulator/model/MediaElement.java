package io.switchboard.kms.emulator.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.kms.emulator.rpc.KmsException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An element in a pipeline: connections to other elements and the media-flow states a real KMS
 * reports for them. "Out" means media leaving the element into the pipeline, "In" media entering
 * it from the pipeline (§8.2 of the protocol reference).
 */
abstract class MediaElement extends MediaObject {

  static final Set<String> MEDIA_TYPES = Set.of("AUDIO", "VIDEO", "DATA");
  private static final List<String> FLOW_TYPES = List.of("AUDIO", "VIDEO");
  static final Set<String> ELEMENT_EVENTS = Set.of(
      "Error", "ElementConnected", "ElementDisconnected", "MediaFlowInStateChanged",
      "MediaFlowOutStateChanged", "MediaTranscodingStateChanged");

  /** The events of every element plus a class's own. */
  static Set<String> elementEventsAnd(String... own) {
    Set<String> events = new HashSet<>(ELEMENT_EVENTS);
    events.addAll(List.of(own));
    return Set.copyOf(events);
  }

  private final Set<String> flowingIn = new HashSet<>();
  private final Set<String> flowingOut = new HashSet<>();

  protected MediaElement(MediaServer server, String id, String type, MediaPipeline pipeline) {
    super(server, id, type, pipeline);
    property("minOuputBitrate", Property.Kind.INT, JSON.numberNode(0), true);
    property("maxOuputBitrate", Property.Kind.INT, JSON.numberNode(0), true);
    property("minEncoderBitrate", Property.Kind.INT, JSON.numberNode(0), true);
    property("maxEncoderBitrate", Property.Kind.INT, JSON.numberNode(0), true);
    property("encoderBitrate", Property.Kind.INT, JSON.numberNode(300_000), true);
  }

  @Override
  protected Set<String> events() {
    return ELEMENT_EVENTS;
  }

  @Override
  protected double cpuCost() {
    return server.config().cpuPerEndpoint();
  }

  @Override
  protected long memoryCost() {
    return 4_096;
  }

  /** Whether media of this type should be leaving the element into the pipeline now. */
  protected abstract boolean wantsFlowOut(String mediaType);

  /** Whether media of this type should be entering the element from the pipeline now. */
  protected abstract boolean wantsFlowIn(String mediaType);

  /** True when some source connected to this element for {@code mediaType} has media flowing out. */
  protected final boolean sourceFlowing(String mediaType) {
    return server.sourceFlowing(this, mediaType);
  }

  final boolean flowingOut(String mediaType) {
    return flowingOut.contains(mediaType);
  }

  /** Applies the wanted flow states; returns whether anything changed. */
  final boolean refreshFlow() {
    boolean changed = false;
    for (String mediaType : FLOW_TYPES) {
      changed |= update(flowingOut, mediaType, wantsFlowOut(mediaType), "MediaFlowOutStateChanged");
      changed |= update(flowingIn, mediaType, wantsFlowIn(mediaType), "MediaFlowInStateChanged");
    }
    return changed;
  }

  private boolean update(Set<String> current, String mediaType, boolean wanted, String event) {
    if (current.contains(mediaType) == wanted) {
      return false;
    }
    if (wanted) {
      current.add(mediaType);
    } else {
      current.remove(mediaType);
    }
    ObjectNode data = newData().put("mediaType", mediaType).put("padName", "default")
        .put("state", wanted ? "FLOWING" : "NOT_FLOWING");
    server.emit(this, event, data);
    return true;
  }

  final void emitLinkEvent(String event, ElementLink link) {
    ObjectNode data = newData()
        .put("mediaType", link.mediaType())
        .put("sink", link.sink().id())
        .put("sinkMediaDescription", link.sinkDescription())
        .put("sourceMediaDescription", link.sourceDescription());
    server.emit(this, event, data);
  }

  @Override
  protected JsonNode operation(String operation, Params params) {
    return switch (operation) {
      case "connect" -> {
        Connection c = connection(params.required(), true);
        for (String mediaType : c.types()) {
          server.link(this, c.sink(), mediaType, c.sourceDescription(), c.sinkDescription());
        }
        server.refreshFlows();
        yield null;
      }
      case "disconnect" -> {
        Connection c = connection(params.required(), false);
        for (String mediaType : c.types()) {
          server.unlink(this, c.sink(), mediaType);
        }
        server.refreshFlows();
        yield null;
      }
      case "getSinkConnections" -> connections(params, true);
      case "getSourceConnections" -> connections(params, false);
      case "isMediaFlowingIn" -> JSON.booleanNode(flowingIn.contains(flowType(params, "MediaFlowingIn")));
      case "isMediaFlowingOut" -> JSON.booleanNode(flowingOut.contains(flowType(params, "MediaFlowingOut")));
      case "isMediaTranscoding" -> {
        params.required().optionalEnum("mediaType", "MediaType", MEDIA_TYPES);
        yield JSON.booleanNode(false);
      }
      case "getStats" -> {
        params.optionalEnum("mediaType", "MediaType", MEDIA_TYPES);
        yield stats();
      }
      case "getGstreamerDot", "getElementGstreamerDot" -> JSON.textNode("digraph element { label=\"" + id() + "\" }");
      default -> super.operation(operation, params);
    };
  }

  /** Statistics for getStats; {@code null} while the element has nothing to report, as on KMS. */
  protected JsonNode stats() {
    return NullNode.getInstance();
  }

  private String flowType(Params params, String what) {
    String t = params.required().optionalEnum("mediaType", "MediaType", MEDIA_TYPES)
        .orElseThrow(() -> KmsException.marshall("'mediaType' parameter should be a string"));
    if (t.equals("DATA")) {
      throw KmsException.illegalParam("Media type DATA is not supported for " + what);
    }
    return t;
  }

  private record Connection(MediaElement sink, List<String> types, String sourceDescription, String sinkDescription) {}

  private Connection connection(Params p, boolean checkPipeline) {
    String sinkId = p.string("sink");
    Optional<String> mediaType = p.optionalEnum("mediaType", "MediaType", MEDIA_TYPES);
    String sourceDesc = p.optionalString("sourceMediaDescription").orElse("default");
    String sinkDesc = p.optionalString("sinkMediaDescription").orElse("default");
    MediaObject sink = server.find(sinkId);
    if (!(sink instanceof MediaElement element)) {
      // A real KMS 7.3 crashes on this (c2-crashes); the emulator refuses it instead.
      throw KmsException.connectError("Sink '" + sinkId + "' is not a media element");
    }
    if (checkPipeline && element.pipeline() != pipeline()) {
      throw KmsException.connectError("Media elements do not share pipeline");
    }
    List<String> types = mediaType.map(List::of).orElse(List.of("AUDIO", "VIDEO", "DATA"));
    return new Connection(element, types, sourceDesc, sinkDesc);
  }

  private ArrayNode connections(Params params, boolean asSource) {
    Optional<String> mediaType = params.optionalEnum("mediaType", "MediaType", MEDIA_TYPES);
    Optional<String> description = params.optionalString("description");
    ArrayNode a = JSON.arrayNode();
    for (ElementLink link : server.linksOf(this, asSource)) {
      if (mediaType.isPresent() && !mediaType.get().equals(link.mediaType())) {
        continue;
      }
      String desc = asSource ? link.sourceDescription() : link.sinkDescription();
      if (description.isPresent() && !description.get().equals(desc)) {
        continue;
      }
      a.addObject()
          .put("__module__", "kurento")
          .put("__type__", "ElementConnectionData")
          .put("sink", link.sink().id())
          .put("sinkDescription", link.sinkDescription())
          .put("source", link.source().id())
          .put("sourceDescription", link.sourceDescription())
          .put("type", link.mediaType());
    }
    return a;
  }
}
