package io.switchboard.kms.emulator.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.kms.emulator.rpc.KmsException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A KMS media object: id, parent, children, tags, name and the sessions that keep it alive. Its
 * state is only touched while holding the {@link MediaServer} lock.
 */
public abstract class MediaObject {

  protected static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** Returned by {@link #operation} for an operation the class does not know. */
  protected static final JsonNode UNKNOWN = JSON.missingNode();

  private static final Set<String> BASE_EVENTS = Set.of("Error");

  protected final MediaServer server;
  private final String id;
  private final String type;
  private final MediaObject parent;
  private final long creationTime;
  private final TreeSet<String> children = new TreeSet<>();
  private final Map<String, String> tags = new LinkedHashMap<>();
  private final Map<String, Property> properties = new LinkedHashMap<>();
  /** Sessions this object is attached to (§4.2 of the protocol reference). */
  final Set<String> holders = new HashSet<>();
  private String name;
  private boolean sendTagsInEvents;
  private boolean alive = true;

  protected MediaObject(MediaServer server, String id, String type, MediaObject parent) {
    this.server = server;
    this.id = id;
    this.type = type;
    this.parent = parent;
    this.creationTime = server.clock().instant().getEpochSecond();
  }

  public final String id() {
    return id;
  }

  /** The short class name, e.g. {@code WebRtcEndpoint}. */
  public final String type() {
    return type;
  }

  public final MediaObject parent() {
    return parent;
  }

  public final boolean alive() {
    return alive;
  }

  final void markDestroyed() {
    alive = false;
    onDestroyed();
  }

  protected void onDestroyed() {}

  final TreeSet<String> children() {
    return children;
  }

  /** The pipeline this object lives in (a pipeline is its own). */
  public MediaObject pipeline() {
    MediaObject o = this;
    while (o.parent != null) {
      o = o.parent;
    }
    return o;
  }

  /** Superclasses from the nearest up, as {@code describe} lists them. */
  protected abstract List<String> hierarchy();

  public final List<String> superclasses() {
    return hierarchy();
  }

  /** Event types a client may subscribe to on this class. */
  protected Set<String> events() {
    return BASE_EVENTS;
  }

  public final boolean supportsEvent(String eventType) {
    return events().contains(eventType);
  }

  /** Processor cost in percent of one core, for {@code getUsedCpu}. */
  protected double cpuCost() {
    return 0;
  }

  /** Resident memory cost in KiB, for {@code getUsedMemory}. */
  protected long memoryCost() {
    return 0;
  }

  /** Milliseconds an operation holds up its socket before answering (getUsedCpu's interval). */
  public long blockingMillis(String operation, Params params) {
    return 0;
  }

  protected final void property(String propertyName, Property.Kind kind, JsonNode initial, boolean settable) {
    properties.put(propertyName, new Property(kind, initial, settable));
  }

  /** Runs {@code operation}; an unknown one fails as KMS fails it (40008). */
  public final JsonNode invoke(String operation, Params params) {
    JsonNode result = operation(operation, params);
    if (result == UNKNOWN) {
      result = propertyAccess(operation, params);
    }
    if (result == UNKNOWN) {
      throw KmsException.malformedTransaction(
          "Method '" + operation + "' with " + params.size() + " parameters not found");
    }
    return result == null ? NullNode.getInstance() : result;
  }

  /**
   * Subclasses handle their own operations and defer to {@code super.operation} for the rest;
   * {@link #UNKNOWN} means "not an operation of this class".
   */
  protected JsonNode operation(String operation, Params params) {
    return switch (operation) {
      case "getId" -> JSON.textNode(id);
      case "getName" -> JSON.textNode(name == null ? id : name);
      case "setName" -> {
        name = params.required().string("name");
        yield null;
      }
      case "getMediaPipeline" -> parent == null && !(this instanceof MediaPipeline)
          ? NullNode.getInstance()
          : JSON.textNode(pipeline().id());
      case "getParent" -> parent == null ? NullNode.getInstance() : JSON.textNode(parent.id);
      case "getChildren" -> {
        ArrayNode a = JSON.arrayNode();
        children.forEach(a::add);
        yield a;
      }
      case "getCreationTime" -> JSON.numberNode(creationTime);
      case "addTag" -> {
        Params p = params.required();
        tags.put(p.string("key"), p.string("value"));
        yield null;
      }
      case "removeTag" -> {
        tags.remove(params.required().string("key"));
        yield null;
      }
      case "getTag" -> {
        String value = tags.get(params.required().string("key"));
        if (value == null) {
          throw KmsException.tagNotFound();
        }
        yield JSON.textNode(value);
      }
      case "getTags" -> tagsJson();
      case "getSendTagsInEvents" -> JSON.booleanNode(sendTagsInEvents);
      case "setSendTagsInEvents" -> {
        sendTagsInEvents = params.required().bool("sendTagsInEvents");
        yield null;
      }
      default -> UNKNOWN;
    };
  }

  /** {@code data.tags} of this object's events: empty unless sendTagsInEvents is on. */
  final ArrayNode eventTags() {
    return sendTagsInEvents ? tagsJson() : JSON.arrayNode();
  }

  private ArrayNode tagsJson() {
    ArrayNode a = JSON.arrayNode();
    tags.forEach(
        (k, v) -> a.addObject()
            .put("__module__", "kurento")
            .put("__type__", "Tag")
            .put("key", k)
            .put("value", v));
    return a;
  }

  private JsonNode propertyAccess(String operation, Params params) {
    if (operation.length() <= 3) {
      return UNKNOWN;
    }
    String prop = Character.toLowerCase(operation.charAt(3)) + operation.substring(4);
    Property p = properties.get(prop);
    if (p == null) {
      return UNKNOWN;
    }
    if (operation.startsWith("get")) {
      return p.value;
    }
    if (operation.startsWith("set") && p.settable) {
      Params required = params.required();
      p.value =
          switch (p.kind) {
            case STRING -> JSON.textNode(required.string(prop));
            case INT -> JSON.numberNode(required.integer(prop));
            case BOOLEAN -> JSON.booleanNode(required.bool(prop));
            case FLOAT -> JSON.numberNode(required.number(prop));
            case OBJECT -> required.object(prop);
          };
      return null;
    }
    return UNKNOWN;
  }

  protected final ObjectNode newData() {
    return JSON.objectNode();
  }

  /** A property read and written through {@code get<Name>} / {@code set<Name>}. */
  static final class Property {
    enum Kind {
      STRING,
      INT,
      BOOLEAN,
      FLOAT,
      OBJECT
    }

    private final Kind kind;
    private final boolean settable;
    private JsonNode value;

    Property(Kind kind, JsonNode value, boolean settable) {
      this.kind = kind;
      this.value = value;
      this.settable = settable;
    }
  }
}
