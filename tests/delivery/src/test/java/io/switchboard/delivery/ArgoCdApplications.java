package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.switchboard.delivery.RenderedChart.Manifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * deploy/argocd read as ArgoCD reads it: the AppProject, the ApplicationSet expanded into its
 * Applications (template and templatePatch evaluated for each element), the Helm-chart Application,
 * and what each Application's source renders. The checks return problems (empty: fine), so that
 * ArgoCdIT can also show each one catching a broken object.
 */
final class ArgoCdApplications {

  static final Path DIRECTORY = RenderedChart.REPOSITORY.resolve("deploy/argocd");
  static final String API_VERSION = "argoproj.io/v1alpha1";

  /** The fields ArgoCD's CRDs allow at the levels these files use, by kind and path. */
  private static final Map<String, Set<String>> FIELDS = Map.ofEntries(
      Map.entry("*", Set.of("apiVersion", "kind", "metadata", "spec")),
      Map.entry("*.metadata", Set.of("name", "namespace", "labels", "annotations", "finalizers")),
      Map.entry("AppProject.spec", Set.of("description", "sourceRepos", "destinations", "clusterResourceWhitelist",
          "clusterResourceBlacklist", "namespaceResourceWhitelist", "namespaceResourceBlacklist", "orphanedResources",
          "roles", "syncWindows", "sourceNamespaces", "signatureKeys")),
      Map.entry("AppProject.spec.orphanedResources", Set.of("warn", "ignore")),
      Map.entry("ApplicationSet.spec", Set.of("goTemplate", "goTemplateOptions", "generators", "template",
          "templatePatch", "syncPolicy", "strategy", "preservedFields", "ignoreApplicationDifferences")),
      Map.entry("ApplicationSet.spec.syncPolicy", Set.of("preserveResourcesOnDeletion", "applicationsSync")),
      Map.entry("ApplicationSet.spec.template", Set.of("metadata", "spec")),
      Map.entry("Application.spec", Set.of("project", "source", "sources", "destination", "ignoreDifferences",
          "syncPolicy", "revisionHistoryLimit", "info")),
      Map.entry("Application.spec.source", Set.of("repoURL", "targetRevision", "path", "chart", "helm", "kustomize",
          "directory", "plugin", "ref")),
      Map.entry("Application.spec.source.helm", Set.of("releaseName", "valueFiles", "values", "valuesObject",
          "parameters", "fileParameters", "ignoreMissingValueFiles", "skipCrds", "passCredentials", "version",
          "namespace", "kubeVersion", "apiVersions", "skipTests", "skipSchemaValidation")),
      Map.entry("Application.spec.destination", Set.of("name", "server", "namespace")),
      Map.entry("Application.spec.syncPolicy", Set.of("automated", "syncOptions", "retry", "managedNamespaceMetadata")),
      Map.entry("Application.spec.syncPolicy.automated", Set.of("prune", "selfHeal", "allowEmpty", "enabled")),
      Map.entry("Application.spec.syncPolicy.retry", Set.of("limit", "backoff")),
      Map.entry("Application.spec.syncPolicy.retry.backoff", Set.of("duration", "factor", "maxDuration")),
      Map.entry("Application.spec.syncPolicy.managedNamespaceMetadata", Set.of("labels", "annotations")));

  private static final Set<String> SYNC_OPTIONS = Set.of("ServerSideApply=true", "PruneLast=true",
      "CreateNamespace=true", "ApplyOutOfSyncOnly=true", "RespectIgnoreDifferences=true", "Validate=false",
      "Replace=true", "FailOnSharedResource=true", "PrunePropagationPolicy=foreground",
      "PrunePropagationPolicy=background", "PrunePropagationPolicy=orphan", "SkipDryRunOnMissingResource=true");

  /** What an Application's source renders: the objects, and the namespace they land in. */
  record Rendering(List<Manifest> manifests, List<JsonNode> customResources, String namespace) {
    /** apiGroup/kind of everything ArgoCD would apply (Helm hooks it ignores: the chart's test pod). */
    Set<String> kinds() {
      Set<String> kinds = new LinkedHashSet<>();
      manifests.stream().map(Manifest::object).filter(o -> o.getMetadata().getAnnotations() == null
          || !o.getMetadata().getAnnotations().containsKey("helm.sh/hook")).forEach(o -> kinds.add(groupKind(o)));
      customResources.forEach(r -> kinds.add(group(r.path("apiVersion").asText()) + "/" + r.path("kind").asText()));
      return kinds;
    }
  }

  private final List<JsonNode> objects;

  private ArgoCdApplications(List<JsonNode> objects) {
    this.objects = objects;
  }

  /** Every document of every .yaml file directly in {@code directory} (helm/ holds values, not objects). */
  static ArgoCdApplications load(Path directory) {
    List<JsonNode> objects = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (String document : Files.readString(f).split("(?m)^---\\s*$")) {
          JsonNode tree = StrictKubernetesModel.YAML.readTree(document);
          if (tree != null && !tree.isMissingNode() && !tree.isNull() && !tree.isEmpty()) {
            objects.add(tree);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ArgoCdApplications(objects);
  }

  /** A deep copy, to break in a test. */
  ArgoCdApplications copy() {
    return new ArgoCdApplications(objects.stream().map(o -> (JsonNode) o.deepCopy()).toList());
  }

  List<JsonNode> objects() {
    return objects;
  }

  List<JsonNode> ofKind(String kind) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  JsonNode project() {
    List<JsonNode> projects = ofKind("AppProject");
    if (projects.size() != 1) {
      throw new AssertionError("deploy/argocd holds " + projects.size() + " AppProjects, not one");
    }
    return projects.get(0);
  }

  /** The Applications ArgoCD would have: the Application objects, and one per ApplicationSet element. */
  List<JsonNode> applications() {
    List<JsonNode> applications = new ArrayList<>(ofKind("Application"));
    for (JsonNode set : ofKind("ApplicationSet")) {
      for (JsonNode generator : set.path("spec").path("generators")) {
        for (JsonNode element : generator.path("list").path("elements")) {
          applications.add(generate(set, element));
        }
      }
    }
    return applications;
  }

  private static JsonNode generate(JsonNode set, JsonNode element) {
    Map<String, JsonNode> parameters = new LinkedHashMap<>();
    element.fields().forEachRemaining(e -> parameters.put(e.getKey(), e.getValue()));
    ObjectNode application = (ObjectNode) substitute(set.path("spec").path("template"), parameters);
    application.put("apiVersion", API_VERSION);
    application.put("kind", "Application");
    String patch = set.path("spec").path("templatePatch").asText("");
    if (!patch.isBlank()) {
      try {
        JsonNode patchTree = StrictKubernetesModel.YAML.readTree(GoTemplate.render(patch, parameters));
        if (patchTree != null && patchTree.isObject()) {
          merge(application, (ObjectNode) patchTree);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("templatePatch of " + set.path("metadata").path("name").asText(), e);
      }
    }
    return application;
  }

  private static JsonNode substitute(JsonNode node, Map<String, JsonNode> parameters) {
    if (node.isTextual()) {
      return TextNode.valueOf(GoTemplate.render(node.asText(), parameters));
    }
    JsonNode copy = node.deepCopy();
    if (copy instanceof ObjectNode object) {
      node.fields().forEachRemaining(e -> object.set(e.getKey(), substitute(e.getValue(), parameters)));
    } else if (copy instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, substitute(node.get(i), parameters));
      }
    }
    return copy;
  }

  private static void merge(ObjectNode into, ObjectNode patch) {
    patch.fields().forEachRemaining(e -> {
      if (into.get(e.getKey()) instanceof ObjectNode existing && e.getValue() instanceof ObjectNode more) {
        merge(existing, more);
      } else {
        into.set(e.getKey(), e.getValue());
      }
    });
  }

  // ---- checks -------------------------------------------------------------------------------------

  /** Every object: argoproj.io/v1alpha1, a known kind, named, in argocd, only fields the CRDs have. */
  List<String> shapeProblems() {
    List<String> problems = new ArrayList<>();
    for (JsonNode o : objects) {
      String kind = o.path("kind").asText();
      String name = kind + "/" + o.path("metadata").path("name").asText("(no name)");
      if (!o.path("apiVersion").asText().equals(API_VERSION)) {
        problems.add(name + ": apiVersion must be " + API_VERSION);
      }
      if (!Set.of("AppProject", "ApplicationSet", "Application").contains(kind)) {
        problems.add(name + ": not an AppProject, ApplicationSet or Application");
        continue;
      }
      JsonNode metadata = o.path("metadata");
      if (metadata.path("name").asText().isEmpty() || !metadata.path("namespace").asText().equals("argocd")) {
        problems.add(name + ": needs metadata.name and metadata.namespace argocd (where ArgoCD reads them)");
      }
      unknownFields(o, kind, "", name, problems);
      if (kind.equals("ApplicationSet")) {
        unknownFields(o.path("spec").path("template"), "Application", "", name + " template", problems);
        if (!o.path("spec").path("goTemplate").asBoolean()) {
          problems.add(name + ": goTemplate must be true (templatePatch and missingkey=error need it)");
        }
      }
    }
    for (JsonNode app : applications()) {
      String name = "Application/" + app.path("metadata").path("name").asText();
      unknownFields(app, "Application", "", name, problems);
      for (String required : List.of("project", "source.repoURL", "source.targetRevision", "source.path",
          "destination.namespace")) {
        JsonNode value = app.path("spec");
        for (String step : required.split("\\.")) {
          value = value.path(step);
        }
        if (value.asText().isEmpty()) {
          problems.add(name + ": spec." + required + " is missing");
        }
      }
      if (app.path("spec").path("destination").path("name").asText().isEmpty()
          == app.path("spec").path("destination").path("server").asText().isEmpty()) {
        problems.add(name + ": spec.destination needs one of name and server");
      }
      app.path("spec").path("syncPolicy").path("syncOptions").forEach(option -> {
        if (!SYNC_OPTIONS.contains(option.asText())) {
          problems.add(name + ": unknown sync option " + option.asText());
        }
      });
    }
    return problems;
  }

  private static void unknownFields(JsonNode node, String kind, String path, String name, List<String> problems) {
    Set<String> allowed = FIELDS.getOrDefault(kind + (path.isEmpty() ? "" : "." + path),
        FIELDS.get("*" + (path.isEmpty() ? "" : "." + path)));
    if (allowed == null || !node.isObject()) {
      return;
    }
    node.fields().forEachRemaining(e -> {
      if (!allowed.contains(e.getKey())) {
        problems.add(name + ": unknown field " + (path.isEmpty() ? "" : path + ".") + e.getKey());
      } else {
        unknownFields(e.getValue(), kind, path.isEmpty() ? e.getKey() : path + "." + e.getKey(), name, problems);
      }
    });
  }

  /**
   * Every source is this repository as the project allows it, its path exists and renders (kubectl
   * kustomize, or helm with the Application's value files), into the Application's namespace.
   */
  List<String> sourceProblems(Map<String, Rendering> rendered) {
    List<String> problems = new ArrayList<>();
    Set<String> repos = new LinkedHashSet<>();
    project().path("spec").path("sourceRepos").forEach(r -> repos.add(r.asText()));
    Set<String> used = new LinkedHashSet<>();
    for (JsonNode app : applications()) {
      String name = app.path("metadata").path("name").asText();
      JsonNode source = app.path("spec").path("source");
      used.add(source.path("repoURL").asText());
      if (!repos.contains(source.path("repoURL").asText())) {
        problems.add(name + ": repoURL " + source.path("repoURL").asText() + " is not among the project's sourceRepos "
            + repos);
      }
      try {
        Rendering r = render(app);
        rendered.put(name, r);
        if (!r.namespace().equals(app.path("spec").path("destination").path("namespace").asText())) {
          problems.add(name + ": renders into namespace " + r.namespace() + ", its destination is "
              + app.path("spec").path("destination").path("namespace").asText());
        }
      } catch (AssertionError | RuntimeException e) {
        problems.add(name + ": " + e.getMessage());
      }
    }
    if (used.size() > 1) {
      problems.add("the Applications use more than one repository: " + used + " (one placeholder URL, in every file)");
    }
    return problems;
  }

  /** What ArgoCD would render for this Application, from this repository. */
  static Rendering render(JsonNode app) {
    JsonNode source = app.path("spec").path("source");
    String namespace = app.path("spec").path("destination").path("namespace").asText();
    Path path = RenderedChart.REPOSITORY.resolve(source.path("path").asText()).normalize();
    if (!path.startsWith(RenderedChart.REPOSITORY) || !Files.isDirectory(path)) {
      throw new AssertionError("source.path " + source.path("path").asText() + " is not a directory of the repository");
    }
    if (Files.isRegularFile(path.resolve("Chart.yaml"))) {
      if (!path.equals(RenderedChart.CHART)) {
        throw new AssertionError("source.path " + path + " is a chart other than deploy/helm/switchboard");
      }
      List<Path> valueFiles = new ArrayList<>();
      for (JsonNode file : source.path("helm").path("valueFiles")) {
        Path f = path.resolve(file.asText()).normalize();
        if (!f.startsWith(RenderedChart.REPOSITORY) || !Files.isRegularFile(f)) {
          throw new AssertionError("helm valueFile " + file.asText() + " (from " + source.path("path").asText()
              + ") is not a file of the repository");
        }
        valueFiles.add(f);
      }
      String release = source.path("helm").path("releaseName").asText(app.path("metadata").path("name").asText());
      RenderedChart chart = RenderedChart.as(release, namespace, valueFiles);
      if (!chart.problems().isEmpty()) {
        throw new AssertionError("the chart with " + valueFiles + " renders objects the model refuses: "
            + chart.problems());
      }
      return new Rendering(chart.manifests(), List.of(), namespace);
    }
    if (!Files.isRegularFile(path.resolve("kustomization.yaml"))) {
      throw new AssertionError("source.path " + source.path("path").asText()
          + " holds neither a chart nor a kustomization");
    }
    RenderedKustomization k = RenderedKustomization.of(path);
    String rendered = k.all(Namespace.class).stream().map(n -> n.getMetadata().getName()).findFirst()
        .orElse("(no Namespace object)");
    return new Rendering(k.manifests(), k.customResources(), rendered);
  }

  /** Every destination is one the project allows. */
  List<String> destinationProblems() {
    List<String> problems = new ArrayList<>();
    Set<String> allowed = new LinkedHashSet<>();
    project().path("spec").path("destinations").forEach(d -> allowed.add(destination(d)));
    for (JsonNode app : applications()) {
      String destination = destination(app.path("spec").path("destination"));
      if (!allowed.contains(destination)) {
        problems.add(app.path("metadata").path("name").asText() + ": destination " + destination
            + " is not among the project's " + allowed);
      }
      if (!app.path("spec").path("project").asText().equals(project().path("metadata").path("name").asText())) {
        problems.add(app.path("metadata").path("name").asText() + ": project "
            + app.path("spec").path("project").asText() + " is not deploy/argocd's AppProject");
      }
    }
    return problems;
  }

  private static String destination(JsonNode d) {
    String cluster = d.path("name").asText(d.path("server").asText());
    return (cluster.isEmpty() ? d.path("server").asText() : cluster) + "/" + d.path("namespace").asText();
  }

  /** The project permits every kind an Application renders, and permits nothing none renders. */
  List<String> whitelistProblems(Map<String, Rendering> rendered) {
    List<String> problems = new ArrayList<>();
    Set<String> permitted = new LinkedHashSet<>();
    project().path("spec").path("clusterResourceWhitelist").forEach(e -> permitted.add(
        e.path("group").asText() + "/" + e.path("kind").asText() + " (cluster)"));
    project().path("spec").path("namespaceResourceWhitelist").forEach(e -> permitted.add(
        e.path("group").asText() + "/" + e.path("kind").asText()));
    Set<String> used = new LinkedHashSet<>();
    rendered.forEach((app, r) -> {
      for (String kind : r.kinds()) {
        String key = kind.equals("/Namespace") ? kind + " (cluster)" : kind;
        used.add(key);
        if (!permitted.contains(key)) {
          problems.add(app + " renders " + key + ", which the project does not permit");
        }
      }
    });
    permitted.stream().filter(p -> !used.contains(p)).forEach(p ->
        problems.add("the project permits " + p + ", which no Application renders (keep the whitelists minimal)"));
    return problems;
  }

  /**
   * Autoscaled Deployments' replicas are ignored in the diff; the manifests leave them out.
   * Sync options: server-side apply and prune last everywhere, CreateNamespace only where the
   * source brings no Namespace; automated sync everywhere but prod.
   */
  List<String> syncProblems(Map<String, Rendering> rendered) {
    List<String> problems = new ArrayList<>();
    for (JsonNode app : applications()) {
      String name = app.path("metadata").path("name").asText();
      Rendering r = rendered.get(name);
      if (r == null) {
        continue;
      }
      Set<String> ignoredReplicas = new LinkedHashSet<>();
      for (JsonNode ignore : app.path("spec").path("ignoreDifferences")) {
        boolean replicas = false;
        for (JsonNode pointer : ignore.path("jsonPointers")) {
          replicas |= pointer.asText().equals("/spec/replicas");
        }
        boolean deployment = ignore.path("kind").asText().equals("Deployment")
            && ignore.path("group").asText().equals("apps");
        if (replicas && deployment) {
          ignoredReplicas.add(ignore.path("name").asText());
        }
      }
      for (HorizontalPodAutoscaler hpa : all(r, HorizontalPodAutoscaler.class)) {
        String target = hpa.getSpec().getScaleTargetRef().getName();
        if (!ignoredReplicas.contains(target)) {
          problems.add(name + ": HPA " + hpa.getMetadata().getName() + " scales Deployment " + target
              + ", whose /spec/replicas the Application does not ignore");
        }
      }
      Set<String> deployments = new LinkedHashSet<>(all(r, Deployment.class).stream()
          .map(d -> d.getMetadata().getName()).toList());
      ignoredReplicas.stream().filter(d -> !deployments.contains(d)).forEach(d ->
          problems.add(name + ": ignores the replicas of Deployment " + d + ", which it does not render"));

      Set<String> options = new LinkedHashSet<>();
      app.path("spec").path("syncPolicy").path("syncOptions").forEach(o -> options.add(o.asText()));
      for (String required : List.of("ServerSideApply=true", "PruneLast=true")) {
        if (!options.contains(required)) {
          problems.add(name + ": syncOptions lack " + required);
        }
      }
      boolean bringsNamespace = !all(r, Namespace.class).isEmpty();
      if (bringsNamespace == options.contains("CreateNamespace=true")) {
        problems.add(name + (bringsNamespace ? ": renders its Namespace, so CreateNamespace=true would make a second"
            + " owner of it" : ": renders no Namespace and lacks CreateNamespace=true"));
      }
      JsonNode automated = app.path("spec").path("syncPolicy").path("automated");
      boolean prod = app.path("spec").path("destination").path("namespace").asText().endsWith("-prod");
      if (prod && !automated.isMissingNode()) {
        problems.add(name + ": prod syncs by hand (after someone reads the diff), not automatically");
      }
      if (!prod && (!automated.path("prune").asBoolean() || !automated.path("selfHeal").asBoolean())) {
        problems.add(name + ": syncs automatically with prune and selfHeal (only prod waits for a person)");
      }
    }
    return problems;
  }

  private static <T extends HasMetadata> List<T> all(Rendering r, Class<T> type) {
    return r.manifests().stream().map(Manifest::object).filter(type::isInstance).map(type::cast).toList();
  }

  private static String groupKind(HasMetadata o) {
    return group(o.getApiVersion()) + "/" + o.getKind();
  }

  private static String group(String apiVersion) {
    return apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
  }
}
