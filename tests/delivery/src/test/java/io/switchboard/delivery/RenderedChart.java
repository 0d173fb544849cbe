package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The chart as `helm template` renders it for one values file (release "sb", namespace
 * "switchboard"), each document parsed into the Kubernetes model. Rendered once per values file.
 */
final class RenderedChart {

  static final String RELEASE = "sb";
  static final String NAMESPACE = "switchboard";

  static final Path REPOSITORY = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();
  static final Path CHART = REPOSITORY.resolve("deploy/helm/switchboard");

  private static final Map<Release, RenderedChart> RENDERED = new ConcurrentHashMap<>();
  private static final Pattern SOURCE = Pattern.compile("(?m)^# Source: (\\S+)");

  /** One rendered document: where it came from and what it is. */
  record Manifest(String source, HasMetadata object) {
    String kind() {
      return object.getKind();
    }

    String name() {
      return object.getMetadata().getName();
    }

    @Override
    public String toString() {
      return kind() + "/" + name() + " (" + source + ")";
    }
  }

  /** A pod template (or a Pod) with what it belongs to. */
  record Workload(Manifest manifest, ObjectMeta podMetadata, PodSpec spec) {
    Map<String, String> labels() {
      return podMetadata.getLabels() == null ? Map.of() : podMetadata.getLabels();
    }

    String component() {
      return labels().getOrDefault("app.kubernetes.io/component", "");
    }

    boolean isHelmTest() {
      Map<String, String> annotations = podMetadata.getAnnotations();
      return annotations != null && "test".equals(annotations.get("helm.sh/hook"));
    }

    @Override
    public String toString() {
      return manifest.toString();
    }
  }

  /** What one `helm template` is run with. */
  private record Release(String name, String namespace, List<Path> valuesFiles) {}

  private final List<Path> valuesFiles;
  private final Map<String, Object> values;
  private final List<Manifest> manifests;
  private final List<String> problems;

  private RenderedChart(Release release) {
    this.valuesFiles = release.valuesFiles();
    Map<String, Object> merged = HelmValues.load(CHART.resolve("values.yaml"));
    for (Path file : valuesFiles) {
      merged = HelmValues.merge(merged, HelmValues.load(file));
    }
    this.values = merged;
    this.manifests = new ArrayList<>();
    this.problems = new ArrayList<>();
    for (String document : render(release.name(), release.namespace(), valuesFiles).split("(?m)^---\\s*$")) {
      parse(document);
    }
  }

  /** The chart rendered with these values files on top of its defaults (cached). */
  static RenderedChart with(Path... valuesFiles) {
    return as(RELEASE, NAMESPACE, List.of(valuesFiles));
  }

  /** The chart rendered under another release name and namespace (as an ArgoCD Application does), cached. */
  static RenderedChart as(String release, String namespace, List<Path> valuesFiles) {
    return RENDERED.computeIfAbsent(new Release(release, namespace, List.copyOf(valuesFiles)), RenderedChart::new);
  }

  /** `helm template` itself, uncached: throws with helm's message when the values are refused. */
  static String render(List<Path> valuesFiles) {
    return render(RELEASE, NAMESPACE, valuesFiles);
  }

  private static String render(String release, String namespace, List<Path> valuesFiles) {
    var template = new Helm(CHART).template().withName(release).withNamespace(namespace);
    for (Path file : valuesFiles) {
      template = template.withValuesFile(file);
    }
    return template.call();
  }

  static List<Path> ciValuesFiles() {
    try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
      return files.filter(f -> f.getFileName().toString().endsWith("-values.yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void parse(String document) {
    Matcher source = SOURCE.matcher(document);
    String name = source.find() ? source.group(1) : "(no source)";
    try {
      JsonNode tree = StrictKubernetesModel.YAML.readTree(document);
      if (tree == null || tree.isMissingNode() || tree.isNull() || tree.isEmpty()) {
        return;
      }
      StrictKubernetesModel.Parsed parsed = StrictKubernetesModel.parse(tree, name);
      manifests.add(new Manifest(name, parsed.object()));
      problems.addAll(parsed.problems());
    } catch (IOException e) {
      throw new UncheckedIOException(name + " is not YAML", e);
    }
  }

  Map<String, Object> values() {
    return values;
  }

  List<Manifest> manifests() {
    return manifests;
  }

  /** Wrongly typed values and fields the model does not know, by document and path. */
  List<String> problems() {
    return problems;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return manifests.stream().map(Manifest::object).filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
  }

  <T extends HasMetadata> T one(Class<T> type, String name) {
    return find(type, name).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name
        + " rendered with " + valuesFiles + "; rendered: " + manifests));
  }

  /** Every pod the chart would run: Deployment/DaemonSet/StatefulSet templates and bare Pods. */
  List<Workload> workloads() {
    return workloadsOf(manifests);
  }

  /** The pods of any list of manifests (the chart's, or what kubectl kustomize renders), sorted. */
  static List<Workload> workloadsOf(List<Manifest> manifests) {
    List<Workload> workloads = new ArrayList<>();
    for (Manifest m : manifests) {
      PodTemplateSpec template = null;
      if (m.object() instanceof Deployment d) {
        template = d.getSpec().getTemplate();
      } else if (m.object() instanceof DaemonSet d) {
        template = d.getSpec().getTemplate();
      } else if (m.object() instanceof StatefulSet s) {
        template = s.getSpec().getTemplate();
      }
      if (template != null) {
        workloads.add(new Workload(m, template.getMetadata(), template.getSpec()));
      } else if (m.object() instanceof Pod pod) {
        workloads.add(new Workload(m, pod.getMetadata(), pod.getSpec()));
      }
    }
    workloads.sort(Comparator.comparing(Workload::toString));
    return workloads;
  }

  Workload workload(String component) {
    return workloads().stream().filter(w -> w.component().equals(component) && !w.isHelmTest()).findFirst()
        .orElseThrow(() -> new AssertionError("no " + component + " pods rendered with " + valuesFiles));
  }

  /** <release>-switchboard-<component>, as the chart names things. */
  static String name(String component) {
    return RELEASE + "-switchboard-" + component;
  }

  @Override
  public String toString() {
    return valuesFiles.stream().map(p -> p.getFileName().toString()).toList().toString();
  }
}
