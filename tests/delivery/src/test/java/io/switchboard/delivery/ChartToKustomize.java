package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * deploy/kustomize's base and chart-made components, rendered from the Helm chart with the values
 * files in deploy/kustomize/values: the chart stays the one source of truth, and KustomizeIT fails
 * when what is committed is not what this makes.
 *
 * <ul>
 *   <li>{@code base/}: the chart with values/base.yaml, one file per object, as helm wrote it.
 *   <li>{@code components/<name>/}: what values/&lt;name&gt;.yaml adds to the chart's output (new
 *       objects as they are) and changes (strategic merge patches, computed).
 *   <li>{@code components/namespace/}: the chart writes its namespace into strings (service URLs)
 *       and RoleBinding subjects, which kustomize's {@code namespace:} does not rewrite; replacements
 *       from the overlay's Namespace object do. Components carry their own.
 * </ul>
 */
final class ChartToKustomize {

  static final Path KUSTOMIZE = RenderedChart.REPOSITORY.resolve("deploy/kustomize");
  /** Release "switchboard": objects are named switchboard-gateway, … (what Terraform's IRSA roles expect). */
  static final String RELEASE = "switchboard";
  static final String NAMESPACE = "switchboard";
  static final String REGENERATE = "./mvnw -B -pl tests/delivery verify -Dtest=none"
      + " -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=KustomizeIT -Dkustomize.regenerate=true";

  /**
   * A component made from the chart: the render with {@code over} and then {@code values}, minus the
   * render with {@code over} alone. {@code syncWave}: the ArgoCD wave of the workloads it adds (or null).
   */
  record Component(String name, List<String> over, String syncWave) {}

  static final List<Component> COMPONENTS = List.of(
      new Component("network-policies", List.of("base"), null),
      // Over network-policies: the trial Redis and Kafka bring their own NetworkPolicies.
      new Component("in-cluster-backends", List.of("base", "network-policies"), "-1"),
      new Component("monitoring", List.of("base"), null),
      new Component("custom-metric-hpa", List.of("base"), null));

  static final String NAMESPACE_COMPONENT = "namespace";

  private static final YAMLFactory YAML_FACTORY = YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
      .build();
  private static final ObjectMapper YAML = JsonMapper.builder(YAML_FACTORY).build();

  private ChartToKustomize() {}

  /** The directories this writes whole, relative to deploy/kustomize. */
  static List<String> generatedDirectories() {
    List<String> dirs = new ArrayList<>(List.of("base", "components/" + NAMESPACE_COMPONENT));
    COMPONENTS.forEach(c -> dirs.add("components/" + c.name()));
    return dirs;
  }

  /** Every generated file, by its path relative to {@code kustomize} (whose values/ it reads). */
  static SortedMap<String, String> generate(Path kustomize) {
    SortedMap<String, String> files = new TreeMap<>();
    Path values = kustomize.resolve("values");

    Map<String, ChartDocument> base = render(values, List.of("base"));
    List<String> resources = new ArrayList<>();
    for (ChartDocument d : base.values()) {
      files.put("base/" + d.fileName(), header(List.of("base")) + d.text());
      resources.add(d.fileName());
    }
    files.put("base/kustomization.yaml", header(List.of("base"))
        + yaml(kustomization("Kustomization", resources, List.of(), List.of())));
    files.put("components/" + NAMESPACE_COMPONENT + "/kustomization.yaml", header(List.of("base"))
        + yaml(kustomization("Component", List.of(), List.of(), namespaceReplacements(base.values().stream()
            .map(d -> new Target(d.kind(), d.name(), d.tree())).toList()))));

    for (Component c : COMPONENTS) {
      files.putAll(component(c, values));
    }
    return files;
  }

  private static Map<String, String> component(Component c, Path values) {
    List<String> layers = new ArrayList<>(c.over());
    Map<String, ChartDocument> before = render(values, layers);
    layers.add(c.name());
    Map<String, ChartDocument> after = render(values, layers);
    String dir = "components/" + c.name() + "/";
    String header = header(layers);

    before.keySet().stream().filter(k -> !after.containsKey(k)).findFirst().ifPresent(k -> {
      throw new IllegalStateException("values/" + c.name() + ".yaml removes " + k + " from the chart's output: a"
          + " component can only add objects and patch them");
    });
    Map<String, String> files = new TreeMap<>();
    List<String> resources = new ArrayList<>();
    List<Map<String, Object>> patches = new ArrayList<>();
    List<Target> targets = new ArrayList<>();
    for (ChartDocument d : after.values()) {
      ChartDocument old = before.get(d.key());
      ObjectNode patch;
      if (old == null) {
        files.put(dir + d.fileName(), header + d.text());
        resources.add(d.fileName());
        targets.add(new Target(d.kind(), d.name(), d.tree()));
        patch = c.syncWave() != null && isWorkload(d.kind()) ? syncWavePatch(d, c.syncWave()) : null;
      } else if (!old.tree().equals(d.tree())) {
        patch = StrategicMergePatch.between(old.tree(), d.tree(), d.key());
        targets.add(new Target(d.kind(), d.name(), patch));
      } else {
        continue;
      }
      if (patch != null) {
        String file = "patch-" + d.fileName();
        files.put(dir + file, header + yaml(patch));
        patches.add(ordered("path", file));
      }
    }
    files.put(dir + "kustomization.yaml", header + yaml(kustomization("Component", resources, patches,
        namespaceReplacements(targets))));
    return files;
  }

  private static boolean isWorkload(String kind) {
    return List.of("Deployment", "StatefulSet", "DaemonSet").contains(kind);
  }

  /** Trial backends first: ArgoCD waits for a wave to be healthy before it starts the next. */
  private static ObjectNode syncWavePatch(ChartDocument d, String wave) {
    ObjectNode patch = YAML.createObjectNode();
    patch.put("apiVersion", d.tree().path("apiVersion").asText());
    patch.put("kind", d.kind());
    ObjectNode metadata = patch.putObject("metadata");
    metadata.put("name", d.name());
    metadata.putObject("annotations").put("argocd.argoproj.io/sync-wave", wave);
    return patch;
  }

  private static Map<String, Object> kustomization(String kind, List<String> resources,
      List<Map<String, Object>> patches, List<Map<String, Object>> replacements) {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("apiVersion", kind.equals("Component") ? "kustomize.config.k8s.io/v1alpha1"
        : "kustomize.config.k8s.io/v1beta1");
    k.put("kind", kind);
    if (!resources.isEmpty()) {
      // The chart's objects are kustomize's here, not a Helm release's.
      k.put("labels", List.of(ordered("pairs", ordered("app.kubernetes.io/managed-by", "kustomize"))));
      k.put("resources", resources);
    }
    if (!patches.isEmpty()) {
      k.put("patches", patches);
    }
    if (!replacements.isEmpty()) {
      k.put("replacements", replacements);
    }
    return k;
  }

  // ---- the namespace the chart wrote into values ----------------------------------------------------

  /** An object (or a patch of one) whose namespace references must follow the overlay's Namespace. */
  private record Target(String kind, String name, JsonNode tree) {}

  /**
   * Replacements from the overlay's Namespace object to every place the chart wrote its namespace:
   * "&lt;service&gt;.switchboard.svc" in a string (the second dot-separated part), RoleBinding
   * subjects and ServiceMonitor namespaceSelectors (the whole value). metadata.namespace is kustomize's.
   */
  private static List<Map<String, Object>> namespaceReplacements(List<Target> targets) {
    List<Map<String, Object>> partOfString = new ArrayList<>();
    List<Map<String, Object>> wholeValue = new ArrayList<>();
    for (Target t : targets) {
      List<String> inStrings = new ArrayList<>();
      List<String> whole = new ArrayList<>();
      findNamespace(t.tree(), List.of(), "", inStrings, whole);
      Map<String, Object> select = ordered("kind", t.kind(), "name", t.name());
      if (!inStrings.isEmpty()) {
        partOfString.add(ordered("select", select, "fieldPaths", inStrings,
            "options", ordered("delimiter", ".", "index", 1)));
      }
      if (!whole.isEmpty()) {
        wholeValue.add(ordered("select", select, "fieldPaths", whole));
      }
    }
    List<Map<String, Object>> replacements = new ArrayList<>();
    Map<String, Object> source = ordered("kind", "Namespace", "fieldPath", "metadata.name");
    if (!partOfString.isEmpty()) {
      replacements.add(ordered("source", source, "targets", partOfString));
    }
    if (!wholeValue.isEmpty()) {
      replacements.add(ordered("source", source, "targets", wholeValue));
    }
    return replacements;
  }

  private static void findNamespace(JsonNode node, List<String> path, String field, List<String> inStrings,
      List<String> whole) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (!(path.equals(List.of("metadata")) && e.getKey().equals("namespace"))) {
          findNamespace(e.getValue(), append(path, e.getKey()), e.getKey(), inStrings, whole);
        }
      });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        JsonNode item = node.get(i);
        String step = item.path("name").isTextual() ? "[name=" + item.get("name").asText() + "]" : String.valueOf(i);
        findNamespace(item, append(path, step), field, inStrings, whole);
      }
    } else if (node.isTextual()) {
      String value = node.asText();
      if (value.matches("(?s).*[a-z0-9-]\\." + NAMESPACE + "\\.svc\\b.*")) {
        String[] parts = value.split("\\.");
        boolean once = value.split("\\." + NAMESPACE + "\\.svc", -1).length == 2;
        if (parts.length < 3 || !parts[1].equals(NAMESPACE) || !once) {
          throw new IllegalStateException(String.join(".", path) + ": \"" + value + "\" names the namespace somewhere"
              + " other than its second dot-separated part: no replacement can follow the overlay's namespace there");
        }
        inStrings.add(fieldPath(path));
      } else if (value.equals(NAMESPACE) && (field.equals("namespace") || field.equals("matchNames"))) {
        whole.add(fieldPath(path));
      }
    }
  }

  private static List<String> append(List<String> path, String step) {
    List<String> longer = new ArrayList<>(path);
    longer.add(step);
    return longer;
  }

  /** A kustomize field path; a key with a dot in it cannot be named in one. */
  private static String fieldPath(List<String> path) {
    for (String step : path) {
      if (step.contains(".") && !step.startsWith("[")) {
        throw new IllegalStateException("a namespace reference under the key " + step + " (" + path + "): kustomize"
            + " field paths cannot name it");
      }
    }
    return String.join(".", path);
  }

  // ---- rendering -----------------------------------------------------------------------------------

  /** One document helm wrote: its text as written (comments and all) and its tree. */
  record ChartDocument(String text, JsonNode tree) {
    String kind() {
      return tree.path("kind").asText();
    }

    String name() {
      return tree.path("metadata").path("name").asText();
    }

    String key() {
      return kind() + "/" + name();
    }

    String fileName() {
      return kind().toLowerCase(Locale.ROOT) + "-" + name() + ".yaml";
    }
  }

  /** The chart with values/&lt;layer&gt;.yaml for each layer, by kind/name, without helm's test hooks. */
  private static Map<String, ChartDocument> render(Path values, List<String> layers) {
    var template = new Helm(RenderedChart.CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    for (String layer : layers) {
      template = template.withValuesFile(values.resolve(layer + ".yaml"));
    }
    Map<String, ChartDocument> documents = new TreeMap<>();
    for (String text : template.call().split("(?m)^---\\s*$")) {
      JsonNode tree;
      try {
        tree = StrictKubernetesModel.YAML.readTree(text);
      } catch (IOException e) {
        throw new UncheckedIOException("helm rendered a document that is not YAML:\n" + text, e);
      }
      if (tree == null || tree.isMissingNode() || tree.isNull() || tree.isEmpty()) {
        continue;
      }
      // `helm test` pods: ArgoCD runs no Helm test hooks, and kustomize has no notion of them.
      if (tree.path("metadata").path("annotations").has("helm.sh/hook")) {
        continue;
      }
      ChartDocument d = new ChartDocument(text.strip() + "\n", tree);
      if (documents.put(d.key(), d) != null) {
        throw new IllegalStateException("the chart renders " + d.key() + " twice with " + layers);
      }
    }
    return documents;
  }

  private static String header(List<String> layers) {
    return "# Generated by ChartToKustomize: deploy/helm/switchboard rendered with deploy/kustomize/values/"
        + String.join(".yaml + ", layers) + ".yaml.\n"
        + "# Do not edit: change the chart or the values, then regenerate (deploy/kustomize/README.md).\n";
  }

  /** A map that keeps its keys in the order given: the files must come out the same every time. */
  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static String yaml(Object value) {
    try {
      return YAML.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- comparing and writing -----------------------------------------------------------------------

  /** The first way {@code root} differs from {@code generated} in the generated directories, if any. */
  static Optional<String> firstDifference(SortedMap<String, String> generated, Path root) {
    SortedMap<String, String> committed = committed(root);
    for (var e : generated.entrySet()) {
      String have = committed.get(e.getKey());
      if (have == null) {
        return Optional.of(e.getKey() + " is missing");
      }
      if (!have.equals(e.getValue())) {
        return Optional.of(e.getKey() + " differs from what the chart renders, first at "
            + firstDifferentLine(have, e.getValue()));
      }
    }
    return committed.keySet().stream().filter(f -> !generated.containsKey(f)).findFirst()
        .map(f -> f + " is not generated any more (stale)");
  }

  private static String firstDifferentLine(String have, String want) {
    String[] a = have.split("\n", -1);
    String[] b = want.split("\n", -1);
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i] : "(end of file)";
      String y = i < b.length ? b[i] : "(end of file)";
      if (!x.equals(y)) {
        return "line " + (i + 1) + ":\n  committed: " + x + "\n  rendered:  " + y;
      }
    }
    return "(line endings)";
  }

  private static SortedMap<String, String> committed(Path root) {
    SortedMap<String, String> files = new TreeMap<>();
    for (String dir : generatedDirectories()) {
      Path d = root.resolve(dir);
      if (!Files.isDirectory(d)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(d)) {
        for (Path f : walk.filter(Files::isRegularFile).toList()) {
          files.put(root.relativize(f).toString().replace('\\', '/'), Files.readString(f, StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  /** Replaces the generated directories under {@code root} with {@code generated}. */
  static void write(SortedMap<String, String> generated, Path root) {
    try {
      for (String dir : generatedDirectories()) {
        Path d = root.resolve(dir);
        if (Files.isDirectory(d)) {
          try (Stream<Path> walk = Files.walk(d)) {
            for (Path f : walk.sorted((x, y) -> y.compareTo(x)).toList()) {
              Files.delete(f);
            }
          }
        }
      }
      for (var e : generated.entrySet()) {
        Path f = root.resolve(e.getKey());
        Files.createDirectories(f.getParent());
        Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
