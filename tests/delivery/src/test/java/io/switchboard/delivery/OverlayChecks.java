package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.switchboard.delivery.RenderedChart.Manifest;
import io.switchboard.delivery.RenderedChart.Workload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a rendered overlay must be beyond the workload policies, each check a list of problems
 * (empty: fine) so that a test can also show it catching a broken overlay.
 */
final class OverlayChecks {

  /** Where the chart's objects are named switchboard-<component>: their images, by image name. */
  static final List<String> SWITCHBOARD_IMAGES = List.of("switchboard-gateway", "switchboard-signaling",
      "switchboard-placement", "switchboard-state");

  /** Placeholders of values/base.yaml and values/network-policies.yaml that an overlay must replace. */
  private static final Pattern PLACEHOLDER = Pattern.compile("[A-Za-z0-9-]+\\.invalid\\b|\\b192\\.0\\.2\\.\\d+/\\d+");
  private static final Pattern SERVICE_HOST = Pattern.compile("\\b([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\b");
  private static final Pattern ENV_REFERENCE = Pattern.compile("(?<!\\$)\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  private static final String SYNC_WAVE = "argocd.argoproj.io/sync-wave";
  /** The backends component: exactly one of them in every overlay. */
  private static final Set<String> BACKENDS = Set.of("managed-aws", "in-cluster-backends");

  private OverlayChecks() {}

  /** Unknown fields and wrong types (fabric8), custom resources by their CRD's shape, no other kind. */
  static List<String> modelProblems(RenderedKustomization r) {
    List<String> problems = new ArrayList<>(r.problems());
    for (JsonNode resource : r.customResources()) {
      if (resource.path("kind").asText().equals("ExternalSecret")) {
        problems.addAll(ExternalSecretShape.problems(resource));
      } else {
        problems.add("no model for " + resource.path("apiVersion").asText() + "/" + resource.path("kind").asText()
            + " " + resource.path("metadata").path("name").asText() + ": a kind nothing checks");
      }
    }
    return problems;
  }

  /**
   * One Namespace, everything in it, and every namespace the chart wrote into values follows it:
   * "&lt;service&gt;.&lt;namespace&gt;.svc" names a Service of the overlay in the overlay's
   * namespace, RoleBindings bind ServiceAccounts there, ServiceMonitors look there.
   */
  static List<String> namespaceProblems(RenderedKustomization r) {
    List<String> problems = new ArrayList<>();
    List<Namespace> namespaces = r.all(Namespace.class);
    if (namespaces.size() != 1) {
      return List.of(r + " renders " + namespaces.size() + " Namespaces, not one");
    }
    String namespace = namespaces.get(0).getMetadata().getName();
    for (Manifest m : r.manifests()) {
      if (!(m.object() instanceof Namespace) && !namespace.equals(m.object().getMetadata().getNamespace())) {
        problems.add(m + " is in namespace " + m.object().getMetadata().getNamespace() + ", not " + namespace);
      }
    }
    for (JsonNode resource : r.customResources()) {
      if (!namespace.equals(resource.path("metadata").path("namespace").asText())) {
        problems.add(resource.path("kind").asText() + "/" + resource.path("metadata").path("name").asText()
            + " is not in namespace " + namespace);
      }
    }
    Set<String> services = names(r.all(Service.class));
    Matcher host = SERVICE_HOST.matcher(r.yaml());
    while (host.find()) {
      if (!host.group(2).equals(namespace) || !services.contains(host.group(1))) {
        problems.add(host.group() + " is not a Service of " + r + " in its namespace " + namespace
            + " (the chart's namespace left in a value: components/namespace, or the component's own replacements)");
      }
    }
    Set<String> accounts = names(r.all(ServiceAccount.class));
    for (RoleBinding b : r.all(RoleBinding.class)) {
      b.getSubjects().stream().filter(s -> s.getKind().equals("ServiceAccount")).forEach(s -> {
        if (!namespace.equals(s.getNamespace()) || !accounts.contains(s.getName())) {
          problems.add("RoleBinding " + b.getMetadata().getName() + " binds ServiceAccount " + s.getNamespace() + "/"
              + s.getName() + ", which " + r + " does not have");
        }
      });
    }
    for (ServiceMonitor m : r.all(ServiceMonitor.class)) {
      Optional.ofNullable(m.getSpec().getNamespaceSelector()).map(n -> n.getMatchNames()).orElse(List.of())
          .stream().filter(n -> !n.equals(namespace)).forEach(n ->
              problems.add("ServiceMonitor " + m.getMetadata().getName() + " looks in namespace " + n));
    }
    return problems;
  }

  /** No placeholder of the base (.invalid hosts, TEST-NET-1 CIDRs) reaches a cluster. */
  static List<String> placeholderProblems(RenderedKustomization r) {
    List<String> problems = new ArrayList<>();
    for (String line : r.yaml().split("\n")) {
      Matcher m = PLACEHOLDER.matcher(line);
      if (m.find()) {
        problems.add(r + " still renders the base's placeholder " + m.group() + ": " + line.strip());
      }
    }
    return problems;
  }

  /**
   * Every Secret key a container reads is made by an ExternalSecret of the overlay (nothing in git
   * holds a secret), and every ConfigMap a pod reads is rendered.
   */
  static List<String> referenceProblems(RenderedKustomization r) {
    List<String> problems = new ArrayList<>();
    Map<String, Set<String>> secrets = new HashMap<>();
    r.customResources("ExternalSecret").forEach(es -> secrets.put(ExternalSecretShape.secretName(es),
        ExternalSecretShape.keys(es)));
    Set<String> configMaps = names(r.all(ConfigMap.class));
    for (Workload w : RenderedChart.workloadsOf(r.manifests())) {
      for (Container c : WorkloadPolicies.containers(w)) {
        for (EnvVar env : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
          SecretKeySelector ref = env.getValueFrom() == null ? null : env.getValueFrom().getSecretKeyRef();
          if (ref != null && !Boolean.TRUE.equals(ref.getOptional())
              && !secrets.getOrDefault(ref.getName(), Set.of()).contains(ref.getKey())) {
            problems.add(w + " env " + env.getName() + " reads key " + ref.getKey() + " of Secret " + ref.getName()
                + ", which no ExternalSecret of " + r + " makes (it makes " + secrets + ")");
          }
          var configMap = env.getValueFrom() == null ? null : env.getValueFrom().getConfigMapKeyRef();
          if (configMap != null && !configMaps.contains(configMap.getName())) {
            problems.add(w + " env " + env.getName() + " reads ConfigMap " + configMap.getName() + ", not rendered");
          }
        }
      }
      for (Volume v : Optional.ofNullable(w.spec().getVolumes()).orElse(List.of())) {
        if (v.getConfigMap() != null && !configMaps.contains(v.getConfigMap().getName())) {
          problems.add(w + " volume " + v.getName() + " mounts ConfigMap " + v.getConfigMap().getName()
              + ", not rendered");
        }
        if (v.getSecret() != null && !Boolean.TRUE.equals(v.getSecret().getOptional())) {
          String name = v.getSecret().getSecretName();
          if (!secrets.containsKey(name)) {
            problems.add(w + " volume " + v.getName() + " mounts Secret " + name + ", which no ExternalSecret makes");
          } else {
            for (var item : Optional.ofNullable(v.getSecret().getItems()).orElse(List.of())) {
              if (!secrets.get(name).contains(item.getKey())) {
                problems.add(w + " volume " + v.getName() + " mounts key " + item.getKey() + " of Secret " + name
                    + ", which no ExternalSecret of " + r + " makes (it makes " + secrets + ")");
              }
            }
          }
        }
      }
    }
    return problems;
  }

  /**
   * Kubernetes expands $(VAR) only from variables above it in the same container, and a strategic
   * merge patch moves the entries it touches to the top: a patched list can break a reference.
   */
  static List<String> envOrderProblems(RenderedKustomization r) {
    List<String> problems = new ArrayList<>();
    for (Workload w : RenderedChart.workloadsOf(r.manifests())) {
      for (Container c : WorkloadPolicies.containers(w)) {
        Set<String> above = new HashSet<>();
        for (EnvVar env : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
          Matcher m = ENV_REFERENCE.matcher(Objects.requireNonNullElse(env.getValue(), ""));
          while (m.find()) {
            if (!above.contains(m.group(1))) {
              problems.add(w + " container " + c.getName() + " env " + env.getName() + " refers to $(" + m.group(1)
                  + "), which is not defined above it: Kubernetes would pass the text as it is");
            }
          }
          above.add(env.getName());
        }
      }
    }
    return problems;
  }

  /**
   * ArgoCD's order: the Namespace first, then the ExternalSecrets and the trial backends, then the
   * services (each wave waits for the one before to be healthy).
   */
  static List<String> syncWaveProblems(RenderedKustomization r) {
    List<String> problems = new ArrayList<>();
    int namespace = r.all(Namespace.class).stream().mapToInt(n -> wave(n.getMetadata().getAnnotations()))
        .max().orElse(0);
    int secrets = Integer.MIN_VALUE;
    for (JsonNode es : r.customResources("ExternalSecret")) {
      int wave = wave(annotations(es));
      secrets = Math.max(secrets, wave);
      if (wave <= namespace) {
        problems.add("ExternalSecret " + es.path("metadata").path("name").asText() + " (wave " + wave
            + ") does not come after the Namespace (wave " + namespace + ")");
      }
    }
    int backends = r.manifests().stream().map(Manifest::object).filter(OverlayChecks::isTrialBackend)
        .mapToInt(o -> wave(o.getMetadata().getAnnotations())).max().orElse(Integer.MIN_VALUE);
    for (Workload w : RenderedChart.workloadsOf(r.manifests())) {
      HasMetadata o = w.manifest().object();
      if (isTrialBackend(o)) {
        continue;
      }
      int wave = wave(o.getMetadata().getAnnotations());
      if (wave <= Math.max(namespace, Math.max(secrets, backends))) {
        problems.add(w + " (wave " + wave + ") does not come after the Namespace (" + namespace + "), the"
            + " ExternalSecrets (" + (secrets == Integer.MIN_VALUE ? "none" : secrets) + ") and the trial backends ("
            + (backends == Integer.MIN_VALUE ? "none" : backends) + ")");
      }
    }
    return problems;
  }

  /**
   * Every Switchboard image comes from the overlay's images: entry (registry and tag), the one the
   * GitOps workflow changes with kustomize edit set image.
   */
  static List<String> imageProblems(RenderedKustomization r) {
    List<String> problems = new ArrayList<>();
    JsonNode images = kustomization(r.directory()).path("images");
    for (String name : SWITCHBOARD_IMAGES) {
      JsonNode entry = null;
      for (JsonNode i : images) {
        if (i.path("name").asText().equals(name)) {
          entry = i;
        }
      }
      if (entry == null || entry.path("newName").asText().isEmpty() || entry.path("newTag").asText().isEmpty()) {
        problems.add(r + "/kustomization.yaml has no images: entry for " + name + " with newName and newTag");
        continue;
      }
      String expected = entry.get("newName").asText() + ":" + entry.get("newTag").asText();
      if (!entry.get("newName").asText().endsWith("/" + name)) {
        problems.add(r + ": image " + name + " is renamed to " + entry.get("newName").asText());
      }
      for (Workload w : RenderedChart.workloadsOf(r.manifests())) {
        for (Container c : WorkloadPolicies.containers(w)) {
          String image = c.getImage();
          if (image.contains("/" + name + ":") || image.startsWith(name + ":")) {
            if (!image.equals(expected)) {
              problems.add(w + " runs " + image + ", not " + expected + " (the overlay's images: entry)");
            }
          }
        }
      }
    }
    return problems;
  }

  /** One backends component (AWS's or the trial ones), the NetworkPolicies, the namespace wiring. */
  static List<String> componentProblems(RenderedKustomization r) {
    List<String> problems = new ArrayList<>();
    List<String> components = new ArrayList<>();
    kustomization(r.directory()).path("components")
        .forEach(c -> components.add(Path.of(c.asText()).getFileName().toString()));
    if (components.stream().filter(BACKENDS::contains).count() != 1) {
      problems.add(r + " must use exactly one of " + BACKENDS + ", it uses " + components);
    }
    for (String required : List.of("network-policies", ChartToKustomize.NAMESPACE_COMPONENT)) {
      if (!components.contains(required)) {
        problems.add(r + " does not use components/" + required);
      }
    }
    return problems;
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private static Set<String> names(List<? extends HasMetadata> objects) {
    return new HashSet<>(objects.stream().map(o -> o.getMetadata().getName()).toList());
  }

  private static boolean isTrialBackend(HasMetadata o) {
    return o.getMetadata().getAnnotations() != null
        && "true".equals(o.getMetadata().getAnnotations().get("switchboard.io/trial-only"));
  }

  private static Map<String, String> annotations(JsonNode resource) {
    Map<String, String> annotations = new HashMap<>();
    resource.path("metadata").path("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(),
        e.getValue().asText()));
    return annotations;
  }

  private static int wave(Map<String, String> annotations) {
    return annotations == null ? 0 : Integer.parseInt(annotations.getOrDefault(SYNC_WAVE, "0"));
  }

  private static JsonNode kustomization(Path directory) {
    try {
      return StrictKubernetesModel.YAML.readTree(Files.readString(directory.resolve("kustomization.yaml")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
