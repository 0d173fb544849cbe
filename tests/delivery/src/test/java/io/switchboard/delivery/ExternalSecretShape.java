package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ExternalSecret (external-secrets.io/v1beta1) checked as the operator's CRD schema would: no
 * model type exists for it here, so its fields are checked against the ones the CRD has, with the
 * required ones present, and its template's variables against the data it fetches.
 */
final class ExternalSecretShape {

  static final String API_VERSION = "external-secrets.io/v1beta1";

  /** The fields the CRD allows, by path ("[]" for list items). */
  private static final Map<String, Set<String>> FIELDS = Map.ofEntries(
      Map.entry("", Set.of("apiVersion", "kind", "metadata", "spec")),
      Map.entry("metadata", Set.of("name", "namespace", "labels", "annotations")),
      Map.entry("spec", Set.of("secretStoreRef", "target", "refreshInterval", "data", "dataFrom")),
      Map.entry("spec.secretStoreRef", Set.of("name", "kind")),
      Map.entry("spec.target", Set.of("name", "creationPolicy", "deletionPolicy", "template", "immutable")),
      Map.entry("spec.target.template", Set.of("type", "engineVersion", "mergePolicy", "metadata", "data",
          "templateFrom")),
      Map.entry("spec.data[]", Set.of("secretKey", "remoteRef", "sourceRef")),
      Map.entry("spec.data[].remoteRef", Set.of("key", "property", "version", "conversionStrategy",
          "decodingStrategy", "metadataPolicy")),
      Map.entry("spec.dataFrom[]", Set.of("extract", "find", "rewrite", "sourceRef")),
      Map.entry("spec.dataFrom[].extract", Set.of("key", "property", "version", "conversionStrategy",
          "decodingStrategy", "metadataPolicy")));

  private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{\\{-?\\s*\\.(\\w+)\\s*-?}}");

  private ExternalSecretShape() {}

  /** Everything wrong with one ExternalSecret, each naming it. */
  static List<String> problems(JsonNode es) {
    String name = "ExternalSecret/" + es.path("metadata").path("name").asText("(no name)");
    List<String> problems = new ArrayList<>();
    unknownFields(es, "", name, problems);
    require(es.path("apiVersion").asText().equals(API_VERSION), name + ": apiVersion must be " + API_VERSION, problems);
    require(!es.path("metadata").path("name").asText().isEmpty(), name + ": metadata.name is missing", problems);
    JsonNode spec = es.path("spec");
    require(!spec.path("secretStoreRef").path("name").asText().isEmpty(), name + ": spec.secretStoreRef.name is missing",
        problems);
    require(Set.of("SecretStore", "ClusterSecretStore").contains(spec.path("secretStoreRef").path("kind").asText()),
        name + ": spec.secretStoreRef.kind must be SecretStore or ClusterSecretStore", problems);
    require(!spec.path("target").path("name").asText().isEmpty(), name + ": spec.target.name is missing", problems);
    require(spec.path("refreshInterval").asText().matches("\\d+(s|m|h)"), name + ": spec.refreshInterval must be a"
        + " duration such as 1h", problems);
    String policy = spec.path("target").path("creationPolicy").asText("Owner");
    require(Set.of("Owner", "Orphan", "Merge", "None").contains(policy), name + ": spec.target.creationPolicy "
        + policy + " is not one of Owner, Orphan, Merge, None", problems);
    require(spec.path("data").size() + spec.path("dataFrom").size() > 0,
        name + ": fetches nothing (no spec.data, no spec.dataFrom)", problems);
    Set<String> fetched = new LinkedHashSet<>();
    for (JsonNode d : spec.path("data")) {
      require(!d.path("secretKey").asText().isEmpty(), name + ": a spec.data[] has no secretKey", problems);
      require(!d.path("remoteRef").path("key").asText().isEmpty(), name + ": a spec.data[] has no remoteRef.key",
          problems);
      fetched.add(d.path("secretKey").asText());
    }
    for (JsonNode d : spec.path("dataFrom")) {
      require(!d.path("extract").path("key").asText().isEmpty(), name + ": a spec.dataFrom[] extracts no key",
          problems);
    }
    // With dataFrom the fetched keys are the remote secret's own: only data's can be checked here.
    if (spec.path("dataFrom").isEmpty()) {
      for (JsonNode value : spec.path("target").path("template").path("data")) {
        Matcher m = TEMPLATE_VARIABLE.matcher(value.asText());
        while (m.find()) {
          require(fetched.contains(m.group(1)), name + ": the template's {{ ." + m.group(1) + " }} is not"
              + " fetched by spec.data (secretKeys: " + fetched + ")", problems);
        }
      }
    }
    return problems;
  }

  /** The name of the Secret it makes. */
  static String secretName(JsonNode es) {
    return es.path("spec").path("target").path("name").asText(es.path("metadata").path("name").asText());
  }

  /** The keys that Secret holds: the template's when there is one, else what spec.data fetches. */
  static Set<String> keys(JsonNode es) {
    Set<String> keys = new LinkedHashSet<>();
    JsonNode template = es.path("spec").path("target").path("template").path("data");
    if (template.isObject() && !template.isEmpty()) {
      template.fieldNames().forEachRemaining(keys::add);
    } else {
      es.path("spec").path("data").forEach(d -> keys.add(d.path("secretKey").asText()));
    }
    return keys;
  }

  private static void unknownFields(JsonNode node, String path, String name, List<String> problems) {
    Set<String> allowed = FIELDS.get(path);
    if (node.isArray()) {
      node.forEach(item -> unknownFields(item, path + "[]", name, problems));
      return;
    }
    if (allowed == null || !node.isObject()) {
      return;
    }
    node.fields().forEachRemaining(e -> {
      if (!allowed.contains(e.getKey())) {
        problems.add(name + ": unknown field " + (path.isEmpty() ? "" : path + ".") + e.getKey() + " (allowed: "
            + allowed.stream().sorted().toList() + ")");
      } else {
        unknownFields(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), name, problems);
      }
    });
  }

  private static void require(boolean ok, String problem, List<String> problems) {
    if (!ok) {
      problems.add(problem);
    }
  }
}
