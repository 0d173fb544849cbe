package io.switchboard.delivery;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Values files as Helm reads them: maps merged key by key, anything else replaced, null deletes. */
final class HelmValues {

  static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory()).build();

  private HelmValues() {}

  static Map<String, Object> load(Path file) {
    try {
      Map<String, Object> values = YAML.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
      return values == null ? new LinkedHashMap<>() : values;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** base with overlay on top, as `helm -f base -f overlay` coalesces them. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overlay) {
    Map<String, Object> merged = new LinkedHashMap<>(base);
    overlay.forEach((key, value) -> {
      Object current = merged.get(key);
      if (value == null) {
        merged.remove(key);
      } else if (current instanceof Map<?, ?> currentMap && value instanceof Map<?, ?> valueMap) {
        merged.put(key, merge((Map<String, Object>) currentMap, (Map<String, Object>) valueMap));
      } else {
        merged.put(key, value);
      }
    });
    return merged;
  }

  /** The value at a dotted path, e.g. "gateway.mode". */
  static Optional<Object> at(Map<String, Object> values, String path) {
    Object current = values;
    for (String key : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
        return Optional.empty();
      }
      current = map.get(key);
    }
    return Optional.ofNullable(current);
  }

  /**
   * Secrets the values say exist outside the chart: {@code *.existingSecret} and
   * {@code *Secret.name} (e.g. redis.passwordSecret.name), each with its dotted path.
   */
  static Map<String, String> externalSecretNames(Map<String, Object> values) {
    Map<String, String> found = new LinkedHashMap<>();
    collect(values, new ArrayList<>(), found);
    return found;
  }

  private static void collect(Object value, List<String> path, Map<String, String> found) {
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> {
        List<String> child = new ArrayList<>(path);
        child.add(String.valueOf(k));
        collect(v, child, found);
      });
      return;
    }
    if (!(value instanceof String name) || name.isEmpty() || path.isEmpty()) {
      return;
    }
    String key = path.get(path.size() - 1);
    String parent = path.size() > 1 ? path.get(path.size() - 2) : "";
    if (key.equals("existingSecret") || (key.equals("name") && parent.endsWith("Secret"))) {
      found.put(name, String.join(".", path));
    }
  }
}
