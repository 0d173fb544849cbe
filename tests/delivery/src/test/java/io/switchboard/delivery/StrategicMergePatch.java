package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The strategic merge patch that turns one rendered object into another, as kustomize applies it:
 * maps merged key by key (null deletes a key), and the lists Kubernetes merges by name (containers,
 * env, volumes) merged element by element ({@code $patch: delete} removes one). Any other list that
 * differs is refused rather than guessed at: its merge key is not {@code name}, or it has none.
 */
final class StrategicMergePatch {

  /** Lists Kubernetes' strategic merge keys by {@code name}. */
  private static final Set<String> MERGED_BY_NAME = Set.of("containers", "initContainers", "env", "volumes");

  private StrategicMergePatch() {}

  /** A patch of {@code before} (identified by apiVersion, kind, name) giving {@code after}. */
  static ObjectNode between(JsonNode before, JsonNode after, String what) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    patch.set("apiVersion", after.get("apiVersion"));
    patch.set("kind", after.get("kind"));
    patch.putObject("metadata").set("name", after.path("metadata").get("name"));
    ObjectNode changes = diff(before, after, what);
    changes.fields().forEachRemaining(e -> {
      if (e.getKey().equals("metadata")) {
        ((ObjectNode) patch.get("metadata")).setAll((ObjectNode) e.getValue());
      } else {
        patch.set(e.getKey(), e.getValue());
      }
    });
    return patch;
  }

  private static ObjectNode diff(JsonNode before, JsonNode after, String path) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    after.fields().forEachRemaining(e -> {
      JsonNode old = before.get(e.getKey());
      JsonNode now = e.getValue();
      String at = path + "." + e.getKey();
      if (old == null) {
        patch.set(e.getKey(), now);
      } else if (!old.equals(now)) {
        if (old.isObject() && now.isObject()) {
          patch.set(e.getKey(), diff(old, now, at));
        } else if (old.isArray() && now.isArray()) {
          patch.set(e.getKey(), listDiff(e.getKey(), (ArrayNode) old, (ArrayNode) now, at));
        } else {
          patch.set(e.getKey(), now);
        }
      }
    });
    before.fieldNames().forEachRemaining(key -> {
      if (!after.has(key)) {
        patch.putNull(key);
      }
    });
    return patch;
  }

  private static ArrayNode listDiff(String field, ArrayNode before, ArrayNode after, String path) {
    if (!MERGED_BY_NAME.contains(field)) {
      throw new IllegalStateException(path + " differs, and it is not a list merged by name (" + MERGED_BY_NAME
          + "): the generator does not guess how kustomize would merge it");
    }
    Map<String, JsonNode> old = byName(before, path);
    Map<String, JsonNode> now = byName(after, path);
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    now.forEach((name, item) -> {
      JsonNode was = old.get(name);
      if (was == null) {
        patch.add(item);
      } else if (!was.equals(item)) {
        ObjectNode element = JsonNodeFactory.instance.objectNode().put("name", name);
        element.setAll(diff(was, item, path + "[name=" + name + "]"));
        patch.add(element);
      }
    });
    old.keySet().stream().filter(name -> !now.containsKey(name)).forEach(name ->
        patch.add(JsonNodeFactory.instance.objectNode().put("name", name).put("$patch", "delete")));
    return patch;
  }

  private static Map<String, JsonNode> byName(ArrayNode list, String path) {
    Map<String, JsonNode> items = new LinkedHashMap<>();
    for (JsonNode item : list) {
      if (!item.path("name").isTextual() || items.put(item.get("name").asText(), item) != null) {
        throw new IllegalStateException(path + ": an element without a name, or a name twice");
      }
    }
    return items;
  }
}
