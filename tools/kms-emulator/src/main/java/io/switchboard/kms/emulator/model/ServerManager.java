package io.switchboard.kms.emulator.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.kms.emulator.rpc.KmsException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** {@code manager_ServerManager}: server info and load figures (§5 of the protocol reference). */
final class ServerManager extends MediaObject {

  static final String ID = "manager_ServerManager";
  static final String VERSION = "7.3.1~emulator";

  /** Module → factories, as getInfo lists them (sorted by module name). */
  private static final Map<String, List<String>> MODULES = new TreeMap<>(Map.of(
      "core", List.of("HubPort", "MediaPipeline", "PassThrough"),
      "elements", List.of("AlphaBlending", "Composite", "Dispatcher", "DispatcherOneToMany",
          "HttpPostEndpoint", "Mixer", "PlayerEndpoint", "RecorderEndpoint", "RtpEndpoint", "WebRtcEndpoint"),
      "filters", List.of("FaceOverlayFilter", "GStreamerFilter", "ImageOverlayFilter", "ZBarFilter")));

  private final String generationTime;

  ServerManager(MediaServer server) {
    super(server, ID, "ServerManager", null);
    this.generationTime = DateTimeFormatter.ofPattern("MMM dd yyyy HH:mm:ss", Locale.ROOT)
        .withZone(ZoneOffset.UTC)
        .format(server.clock().instant());
  }

  @Override
  protected List<String> hierarchy() {
    return List.of("kurento.MediaObject");
  }

  @Override
  protected Set<String> events() {
    return Set.of("Error", "ObjectCreated", "ObjectDestroyed");
  }

  @Override
  public long blockingMillis(String operation, Params params) {
    if (operation.equals("getUsedCpu")) {
      return Math.max(0, params.required().integer("interval"));
    }
    return 0;
  }

  @Override
  protected JsonNode operation(String operation, Params params) {
    return switch (operation) {
      case "getInfo" -> info();
      case "getPipelines" -> {
        server.attachEverythingToHiddenSession();
        ArrayNode a = JSON.arrayNode();
        server.pipelineIds().forEach(a::add);
        yield a;
      }
      case "getSessions" -> {
        // KMS's getSessions starts with one empty string per session before the sorted ids.
        List<String> ids = server.sessionIds();
        ArrayNode a = JSON.arrayNode();
        ids.forEach(id -> a.add(""));
        ids.forEach(a::add);
        yield a;
      }
      case "getUsedCpu" -> {
        params.required().integer("interval");
        yield JSON.numberNode(server.usedCpu());
      }
      case "getUsedMemory" -> JSON.numberNode(server.usedMemoryKib());
      case "getCpuCount" -> JSON.numberNode(server.config().cpuCount());
      case "getMetadata" -> JSON.textNode("");
      case "getKmd" -> kmd(params.required().string("moduleName"));
      case "getParent", "getMediaPipeline" -> NullNode.getInstance();
      default -> super.operation(operation, params);
    };
  }

  private ObjectNode info() {
    ObjectNode info = JSON.objectNode().put("__module__", "kurento").put("__type__", "ServerInfo");
    info.putArray("capabilities").add("transactions");
    ArrayNode modules = info.putArray("modules");
    MODULES.forEach((name, factories) -> {
      ObjectNode m = modules.addObject()
          .put("__module__", "kurento")
          .put("__type__", "ModuleInfo")
          .put("generationTime", generationTime)
          .put("name", name)
          .put("version", VERSION);
      ArrayNode f = m.putArray("factories");
      factories.forEach(f::add);
    });
    info.put("type", "KMS").put("version", VERSION);
    return info;
  }

  /**
   * A module's interface description. The emulator does not ship KMS's 75 KB kmd files; it answers
   * with a small, valid description naming the module and the classes it implements.
   */
  private JsonNode kmd(String module) {
    List<String> factories = MODULES.get(module);
    if (factories == null) {
      throw KmsException.kmdNotFound();
    }
    ObjectNode kmd = JSON.objectNode().put("name", module).put("version", VERSION).put("kurentoVersion", "^7.3.0");
    ArrayNode classes = kmd.putArray("remoteClasses");
    factories.stream().filter(MediaServer.factories()::contains).forEach(f -> classes.addObject().put("name", f));
    return JSON.textNode(kmd.toString());
  }
}
