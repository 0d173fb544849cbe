package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.RuleGroup;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.switchboard.delivery.RenderedChart.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart (deploy/helm/switchboard), checked with helm itself (helm-java runs Helm 3
 * offline): lint and render every ci/*-values.yaml variant, parse what it renders into the
 * Kubernetes model, and hold it to the rules of issue 11 — policies on every pod, selectors that
 * select, references that resolve, settings the services really have, and values the chart refuses
 * with a message a user can act on.
 */
class HelmChartIT {

  private static final Set<String> SERVICES = Set.of("gateway", "signaling", "placement", "state");
  private static final Path BAD_VALUES = Path.of("src/test/resources/helm/bad").toAbsolutePath();

  static Stream<Path> ciValues() {
    return RenderedChart.ciValuesFiles().stream();
  }

  static Stream<Path> badValues() throws IOException {
    try (Stream<Path> files = Files.list(BAD_VALUES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  private static RenderedChart render(Path values) {
    return RenderedChart.with(values);
  }

  private static RenderedChart render(String ciFile) {
    return RenderedChart.with(RenderedChart.CHART.resolve("ci").resolve(ciFile));
  }

  // ---- helm lint and the model ------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void helmLintStrictPassesWithEachCiVariant(Path values) throws IOException {
    // helm-java's lint takes no values file: lint a copy of the chart whose defaults are the variant's.
    Path copy = Path.of("target/helm-lint").toAbsolutePath().resolve(values.getFileName().toString())
        .resolve("switchboard");
    copyChart(copy);
    Map<String, Object> merged = HelmValues.merge(HelmValues.load(RenderedChart.CHART.resolve("values.yaml")),
        HelmValues.load(values));
    HelmValues.YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);

    assertLintPasses(new Helm(copy).lint().strict().call(), values.getFileName().toString());
  }

  @Test
  void helmLintStrictPassesWithTheChartsOwnDefaults() {
    assertLintPasses(new Helm(RenderedChart.CHART).lint().strict().call(), "values.yaml");
  }

  private static void assertLintPasses(LintResult lint, String variant) {
    assertThat(lint.isFailed()).as("helm lint --strict with %s: %s", variant, lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).as("helm lint --strict with %s", variant)
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  private static void copyChart(Path target) throws IOException {
    try (Stream<Path> files = Files.walk(RenderedChart.CHART)) {
      for (Path source : files.toList()) {
        Path relative = RenderedChart.CHART.relativize(source);
        if (relative.startsWith("ci")) {
          continue;
        }
        Path destination = target.resolve(relative.toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(destination);
        } else {
          Files.copy(source, destination, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void everyRenderedDocumentIsAKnownKindWithoutUnknownFields(Path values) {
    RenderedChart chart = render(values);

    assertThat(chart.manifests()).as("rendered documents").isNotEmpty();
    assertThat(chart.problems()).as("wrongly typed values, and fields the Kubernetes model does not know "
        + "(misspelt or misplaced)").isEmpty();
    // The one exception: dashboards go where Grafana's sidecar looks when the values name a namespace.
    Object dashboards = HelmValues.at(chart.values(), "monitoring.dashboards.namespace").orElse("");
    assertThat(chart.manifests()).allSatisfy(m -> {
      boolean dashboard = m.object() instanceof ConfigMap
          && "1".equals(m.object().getMetadata().getLabels().get("grafana_dashboard"));
      String expected = dashboard && !"".equals(dashboards) ? dashboards.toString() : null;
      assertThat(m.object().getMetadata().getNamespace())
          .as("%s sets no namespace of its own (the release's applies)", m).isEqualTo(expected);
    });
  }

  // ---- workload policies (WorkloadPolicies: the kustomize overlays are held to the same) ----------

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void everyPodHasDifferentProbesResourcesAndARestrictedSecurityContext(Path values) {
    WorkloadPolicies.of(render(values)).podsHaveDifferentProbesResourcesAndARestrictedSecurityContext();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void everyImageIsPinnedToATagOtherThanLatest(Path values) {
    WorkloadPolicies.of(render(values)).imagesArePinnedToATagOtherThanLatest();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void everyMultiReplicaDeploymentHasADisruptionBudget(Path values) {
    WorkloadPolicies.of(render(values)).multiReplicaDeploymentsHaveADisruptionBudget();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void autoscaledDeploymentsLeaveTheirReplicasToTheAutoscaler(Path values) {
    WorkloadPolicies.of(render(values)).autoscaledDeploymentsLeaveTheirReplicasToTheAutoscaler();
  }

  // ---- wiring -------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void serviceAndNetworkPolicySelectorsSelectRenderedPods(Path values) {
    WorkloadPolicies.of(render(values)).serviceAndNetworkPolicySelectorsSelectRenderedPods();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void everyReferencedSecretAndConfigMapIsRenderedOrDocumentedAsExisting(Path values) throws IOException {
    RenderedChart chart = render(values);
    Map<String, Object> defaults = HelmValues.load(RenderedChart.CHART.resolve("values.yaml"));
    Map<String, String> external = HelmValues.externalSecretNames(chart.values());
    for (Workload w : chart.workloads()) {
      for (Container c : containers(w)) {
        for (EnvVar env : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
          if (env.getValueFrom() == null) {
            continue;
          }
          SecretKeySelector secret = env.getValueFrom().getSecretKeyRef();
          if (secret != null) {
            assertSecretResolves(chart, defaults, external, w + " env " + env.getName(), secret.getName(),
                secret.getKey(), Boolean.TRUE.equals(secret.getOptional()));
          }
          var configMap = env.getValueFrom().getConfigMapKeyRef();
          if (configMap != null) {
            assertThat(chart.find(ConfigMap.class, configMap.getName())).as("%s ConfigMap", w).isPresent();
          }
        }
        assertThat(c.getEnvFrom()).as("%s uses no envFrom (every variable is named)", w).isNullOrEmpty();
      }
      for (Volume v : Optional.ofNullable(w.spec().getVolumes()).orElse(List.of())) {
        if (v.getSecret() != null) {
          boolean optional = Boolean.TRUE.equals(v.getSecret().getOptional());
          assertSecretResolves(chart, defaults, external, w + " volume " + v.getName(), v.getSecret().getSecretName(),
              null, optional);
          for (var item : Optional.ofNullable(v.getSecret().getItems()).orElse(List.of())) {
            assertSecretResolves(chart, defaults, external, w + " volume " + v.getName(),
                v.getSecret().getSecretName(), item.getKey(), optional);
          }
        }
        if (v.getConfigMap() != null) {
          assertThat(chart.find(ConfigMap.class, v.getConfigMap().getName()))
              .as("%s volume %s: ConfigMap %s rendered", w, v.getName(), v.getConfigMap().getName()).isPresent();
        }
        assertThat(v.getProjected()).as("%s volume %s", w, v.getName()).isNull();
      }
    }
  }

  private static void assertSecretResolves(RenderedChart chart, Map<String, Object> defaults,
      Map<String, String> external, String where, String name, String key, boolean optional) {
    Optional<Secret> rendered = chart.find(Secret.class, name);
    if (rendered.isPresent()) {
      if (key != null && !optional) {
        Map<String, String> data = new LinkedHashMap<>();
        Optional.ofNullable(rendered.get().getData()).ifPresent(data::putAll);
        Optional.ofNullable(rendered.get().getStringData()).ifPresent(data::putAll);
        assertThat(data).as("%s: key %s in the chart's Secret %s", where, key, name).containsKey(key);
      }
      return;
    }
    String path = external.get(name);
    assertThat(path).as("%s: Secret %s is neither rendered nor named by an existingSecret/*Secret.name value", where, name)
        .isNotNull();
    assertThat(HelmValues.at(defaults, path)).as("%s: %s is documented in values.yaml", where, path).isPresent();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void everySwitchboardSettingIsAKeyTheServiceReallyHas(Path values) {
    RenderedChart chart = render(values);
    int checked = 0;
    for (String service : SERVICES) {
      SpringConfigurationKeys keys = SpringConfigurationKeys.of(RenderedChart.REPOSITORY, service);
      Container c = container(chart.workload(service));
      List<String> settings = new ArrayList<>(Optional.ofNullable(c.getArgs()).orElse(List.of()).stream()
          .filter(a -> a.startsWith("--switchboard.")).map(a -> a.substring(2, a.contains("=") ? a.indexOf('=') : a.length()))
          .map(k -> k.replace('.', '_').replace("-", "").toUpperCase(Locale.ROOT)).toList());
      c.getEnv().stream().map(EnvVar::getName).filter(n -> n.startsWith("SWITCHBOARD_")).forEach(settings::add);
      for (String setting : settings) {
        assertThat(keys.binds(setting)).as("%s sets %s (%s), which is not a key of %s's configuration metadata: %s",
            service, setting, SpringConfigurationKeys.propertyOf(setting), service, keys.keys()).isTrue();
        checked++;
      }
    }
    assertThat(checked).as("switchboard.* settings checked").isGreaterThan(20);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void theManagementPortIsOnlyOnHeadlessMetricsServicesNeverOnTheIngress(Path values) {
    RenderedChart chart = render(values);
    int management = ((Number) chart.values().get("managementPort")).intValue();
    for (Service s : chart.all(Service.class)) {
      boolean metrics = s.getMetadata().getName().endsWith("-metrics");
      for (ServicePort p : s.getSpec().getPorts()) {
        boolean isManagement = p.getPort() == management || "management".equals(p.getTargetPort().getStrVal());
        assertThat(isManagement).as("Service %s port %s exposes the management port", s.getMetadata().getName(),
            p.getName()).isEqualTo(metrics);
      }
      if (metrics) {
        assertThat(s.getSpec().getClusterIP()).as("%s is headless", s.getMetadata().getName()).isEqualTo("None");
        assertThat(chart.all(Ingress.class)).noneMatch(i -> i.getSpec().getRules().stream()
            .flatMap(r -> r.getHttp().getPaths().stream())
            .anyMatch(p -> p.getBackend().getService().getName().equals(s.getMetadata().getName())));
      }
    }
    for (Ingress ingress : chart.all(Ingress.class)) {
      ingress.getSpec().getRules().stream().flatMap(r -> r.getHttp().getPaths().stream()).forEach(p -> {
        assertThat(p.getBackend().getService().getName()).isEqualTo(RenderedChart.name("gateway"));
        assertThat(p.getBackend().getService().getPort().getName()).isEqualTo("http");
      });
    }
    for (ServiceMonitor monitor : chart.all(ServiceMonitor.class)) {
      assertThat(monitor.getSpec().getEndpoints()).allSatisfy(e -> {
        assertThat(e.getPort()).isEqualTo("management");
        assertThat(e.getPath()).isEqualTo("/actuator/prometheus");
        assertThat(e.getHonorLabels()).as("the services' own `service` label wins over the Operator's").isTrue();
      });
      Map<String, String> selector = monitor.getSpec().getSelector().getMatchLabels();
      assertThat(chart.all(Service.class)).as("Services ServiceMonitor %s scrapes", monitor.getMetadata().getName())
          .filteredOn(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
          .singleElement().satisfies(s -> assertThat(s.getMetadata().getName()).endsWith("-metrics"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void theGatewayDiscoversSignalingPodsUnderTheFixedServiceIdAndChecksTheirManagementPort(Path values) {
    RenderedChart chart = render(values);
    Service signaling = chart.one(Service.class, "signaling");
    Workload pods = chart.workload("signaling");
    assertThat(pods.labels().entrySet()).containsAll(signaling.getSpec().getSelector().entrySet());
    assertThat(signaling.getSpec().getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));

    Container gateway = container(chart.workload("gateway"));
    assertThat(env(gateway, "SPRING_CLOUD_LOADBALANCER_HEALTHCHECK_PORT"))
        .as("the gateway's readiness checks go to the signaling pods' management port")
        .isEqualTo(String.valueOf(port(container(pods), "management")));
    assertThat(env(container(pods), "MANAGEMENT_SERVER_PORT")).isEqualTo(String.valueOf(port(container(pods), "management")));

    Role role = chart.one(Role.class, RenderedChart.name("gateway"));
    assertThat(grants(role, "", "services", "list", "watch", "get")).isTrue();
    assertThat(grants(role, "", "endpoints", "list", "watch", "get")).isTrue();
    assertThat(grants(role, "discovery.k8s.io", "endpointslices", "list", "watch", "get")).isTrue();
    assertThat(role.getRules()).allSatisfy(r -> assertThat(r.getVerbs()).containsOnly("get", "list", "watch"));
    assertBound(chart, role, chart.workload("gateway"));
    assertThat(chart.workload("gateway").spec().getAutomountServiceAccountToken()).isTrue();
    assertThat(pods.spec().getAutomountServiceAccountToken()).as("signaling needs no API token").isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void placementWatchesExactlyTheKmsPodsAndMayReadThem(Path values) {
    RenderedChart chart = render(values);
    Container placement = container(chart.workload("placement"));
    Workload kms = chart.workload("kms");
    assertThat(env(placement, "SWITCHBOARD_PLACEMENT_KUBERNETES_ENABLED")).isEqualTo("true");
    Map<String, String> selector = new LinkedHashMap<>();
    for (String pair : env(placement, "SWITCHBOARD_PLACEMENT_KUBERNETES_LABEL_SELECTOR").split(",")) {
      selector.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
    }
    assertThat(kms.labels().entrySet()).as("KMS pod labels hold placement's selector").containsAll(selector.entrySet());
    assertThat(chart.workloads()).as("placement's selector picks KMS pods only")
        .filteredOn(w -> w.labels().entrySet().containsAll(selector.entrySet())).containsExactly(kms);
    assertThat(env(placement, "SWITCHBOARD_PLACEMENT_KUBERNETES_PORT"))
        .isEqualTo(String.valueOf(port(container(kms), "kurento")));
    String annotation = env(placement, "SWITCHBOARD_PLACEMENT_KUBERNETES_CAPACITY_ANNOTATION");
    assertThat(kms.podMetadata().getAnnotations()).as("KMS pods carry the capacity annotation").containsKey(annotation);
    assertThat(Integer.parseInt(kms.podMetadata().getAnnotations().get(annotation))).isPositive();

    Role role = chart.one(Role.class, RenderedChart.name("placement"));
    assertThat(grants(role, "", "pods", "get", "list", "watch")).isTrue();
    assertThat(role.getRules()).singleElement().satisfies(r -> assertThat(r.getResources()).containsExactly("pods"));
    assertBound(chart, role, chart.workload("placement"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void kmsRunsOnTheMediaNodesAndDrainsThroughPlacementBeforeItStops(Path values) throws IOException {
    RenderedChart chart = render(values);
    DaemonSet daemonSet = chart.one(DaemonSet.class, RenderedChart.name("kms"));
    Workload kms = chart.workload("kms");
    Container c = container(kms);
    assertThat(kms.spec().getHostNetwork()).isTrue();
    assertThat(kms.spec().getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
    assertThat(kms.spec().getNodeSelector()).containsEntry("switchboard.io/role", "media");
    assertThat(kms.spec().getTolerations()).anySatisfy(t -> {
      assertThat(t.getKey()).isEqualTo("switchboard.io/media");
      assertThat(t.getEffect()).isEqualTo("NoSchedule");
    });
    assertThat(c.getImage()).startsWith("docker.io/kurento/kurento-media-server:7.3.0");
    assertThat(Integer.parseInt(env(c, "KMS_MIN_PORT"))).isLessThan(Integer.parseInt(env(c, "KMS_MAX_PORT")));
    assertThat(c.getReadinessProbe().getExec().getCommand()).containsExactly("/opt/switchboard/scripts/kms-healthcheck.sh");

    List<String> preStop = c.getLifecycle().getPreStop().getExec().getCommand();
    assertThat(preStop).containsExactly("/opt/switchboard/scripts/kms-prestop.sh");
    ConfigMap scripts = chart.one(ConfigMap.class, RenderedChart.name("scripts"));
    assertThat(scripts.getData()).containsKeys("kms-prestop.sh", "kms-healthcheck.sh");
    assertThat(scripts.getData().get("kms-prestop.sh")).isEqualTo(
        Files.readString(RenderedChart.CHART.resolve("files/scripts/kms-prestop.sh"), StandardCharsets.UTF_8));

    // The hook names the node as placement's Kubernetes discovery does (the pod's name) and finds
    // the placement Service.
    EnvVar nodeId = c.getEnv().stream().filter(e -> e.getName().equals("NODE_ID")).findFirst().orElseThrow();
    assertThat(nodeId.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    Service placement = chart.one(Service.class, RenderedChart.name("placement"));
    assertThat(env(c, "PLACEMENT_URL")).isEqualTo("http://" + placement.getMetadata().getName() + "."
        + RenderedChart.NAMESPACE + ".svc:" + placement.getSpec().getPorts().get(0).getPort());
    long deadline = Long.parseLong(env(c, "DRAIN_DEADLINE_SECONDS"));
    assertThat(kms.spec().getTerminationGracePeriodSeconds()).as("grace above the drain deadline + settle time")
        .isGreaterThan(deadline + 60);
    assertThat(daemonSet.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isZero();

    chart.find(NetworkPolicy.class, RenderedChart.name("placement")).ifPresent(np ->
        assertThat(np.getSpec().getIngress().get(0).getFrom()).as("the media nodes reach placement's API (the drain)")
            .anyMatch(peer -> peer.getIpBlock() != null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void secureModeSharesOneIdentitySecretAndTheSignalingPodsRequireIdentity(Path values) {
    RenderedChart chart = render(values);
    Container gateway = container(chart.workload("gateway"));
    Container signaling = container(chart.workload("signaling"));
    if (!env(gateway, "SWITCHBOARD_GATEWAY_MODE").equals("secure")) {
      assertThat(env(signaling, "SWITCHBOARD_SIGNALING_REQUIRE_IDENTITY")).isEqualTo("false");
      return;
    }
    assertThat(env(signaling, "SWITCHBOARD_SIGNALING_REQUIRE_IDENTITY")).isEqualTo("true");
    SecretKeySelector gatewaySide = secretRef(gateway, "SWITCHBOARD_GATEWAY_IDENTITY_SECRET");
    SecretKeySelector podSide = secretRef(signaling, "SWITCHBOARD_SIGNALING_IDENTITY_SECRET");
    assertThat(podSide.getName()).isEqualTo(gatewaySide.getName());
    assertThat(podSide.getKey()).isEqualTo(gatewaySide.getKey()).isEqualTo("identity-secret");
    assertThat(gatewaySide.getOptional()).as("secure mode cannot start without it").isNotEqualTo(Boolean.TRUE);
    boolean jwks = gateway.getEnv().stream().anyMatch(e -> e.getName().equals("SWITCHBOARD_GATEWAY_TOKENS_JWKS_URI"));
    if (!jwks) {
      assertThat(secretRef(gateway, "SWITCHBOARD_GATEWAY_TOKENS_SECRET").getKey()).isEqualTo("tokens-secret");
    }
    assertThat(gateway.getEnv()).as("no secret as a plain value")
        .filteredOn(e -> e.getName().endsWith("_SECRET") || e.getName().endsWith("_API_KEYS"))
        .allSatisfy(e -> assertThat(e.getValue()).isNull());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void allFourServicesAndTheKmsDrainShareOneServiceTokenInEveryMode(Path values) {
    RenderedChart chart = render(values);
    Object existing = HelmValues.at(chart.values(), "secrets.existingSecret").orElse("");
    String secret = "".equals(existing) ? RenderedChart.name("secrets") : existing.toString();
    for (String service : SERVICES) {
      Container c = container(chart.workload(service));
      SecretKeySelector ref = secretRef(c, "SWITCHBOARD_SERVICE_TOKEN");
      assertThat(ref.getName()).as("%s reads the service token from the release's Secret", service).isEqualTo(secret);
      assertThat(ref.getKey()).as(service).isEqualTo("service-token");
      assertThat(ref.getOptional()).as("%s: placement and state serve /v1 to nobody without it, in any mode", service)
          .isNotEqualTo(Boolean.TRUE);
      assertThat(c.getEnv()).as("%s: no service token as a plain value", service)
          .filteredOn(e -> e.getName().equals("SWITCHBOARD_SERVICE_TOKEN")).singleElement()
          .satisfies(e -> assertThat(e.getValue()).isNull());
    }
    chart.find(Secret.class, secret).ifPresent(s -> assertThat(s.getData()).as("the chart's Secret %s", secret)
        .containsKey("service-token"));

    // KMS's preStop drain calls placement's /v1: it reads the same key, from a file the kubelet keeps
    // current (so a rotated token reaches it without restarting the media node).
    Workload kms = chart.workload("kms");
    Container c = container(kms);
    String file = env(c, "SERVICE_TOKEN_FILE");
    Volume volume = kms.spec().getVolumes().stream().filter(v -> v.getSecret() != null
        && secret.equals(v.getSecret().getSecretName())).findFirst()
        .orElseThrow(() -> new AssertionError("KMS mounts no volume of Secret " + secret));
    assertThat(volume.getSecret().getOptional()).isNotEqualTo(Boolean.TRUE);
    assertThat(volume.getSecret().getItems()).as("only the service token, none of the Secret's other keys")
        .singleElement().satisfies(item -> {
          assertThat(item.getKey()).isEqualTo("service-token");
          assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(volume.getName());
            assertThat(m.getReadOnly()).isTrue();
            assertThat(m.getSubPath()).as("a subPath mount is never refreshed").isNull();
            assertThat(m.getMountPath() + "/" + item.getPath()).isEqualTo(file);
          });
        });
  }

  @Test
  void aNewServiceTokenRestartsTheServicesButNoMediaNode() throws IOException {
    Path rotated = Files.createDirectories(Path.of("target/helm-values").toAbsolutePath())
        .resolve("rotated-service-token.yaml");
    Files.writeString(rotated, "secrets:\n  serviceToken: ci-only-rotated-service-token-0123456789abcdef\n");
    RenderedChart before = render("default-values.yaml");
    RenderedChart after = RenderedChart.with(RenderedChart.CHART.resolve("ci/default-values.yaml"), rotated);
    for (String service : SERVICES) {
      assertThat(checksum(after.workload(service))).as("%s restarts with the new token", service)
          .isNotEqualTo(checksum(before.workload(service)));
    }
    assertThat(after.workload("kms").podMetadata().getAnnotations())
        .as("KMS pods are replaced only through a drain: the token reaches them as a refreshed file")
        .isEqualTo(before.workload("kms").podMetadata().getAnnotations());
  }

  private static String checksum(Workload w) {
    return Objects.requireNonNull(w.podMetadata().getAnnotations().get("checksum/config"), w + " checksum/config");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void podsAreGivenMoreTimeToStopThanTheirOwnShutdownTakes(Path values) {
    RenderedChart chart = render(values);
    Workload signaling = chart.workload("signaling");
    long drain = seconds(env(container(signaling), "SWITCHBOARD_SIGNALING_SHUTDOWN_DRAIN"));
    long phase = seconds(env(container(signaling), "SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE"));
    assertThat(signaling.spec().getTerminationGracePeriodSeconds()).isGreaterThan(drain + phase);

    Workload gateway = chart.workload("gateway");
    var preStop = container(gateway).getLifecycle();
    if (preStop != null && preStop.getPreStop() != null) {
      assertThat(gateway.spec().getTerminationGracePeriodSeconds())
          .isGreaterThan(preStop.getPreStop().getSleep().getSeconds());
    }
  }

  @Test
  void theAlbKeepsIdleSocketsLongerThanTheGatewaysPingInterval() {
    RenderedChart chart = render("secure-jwks-values.yaml");
    Ingress ingress = chart.one(Ingress.class, RenderedChart.name("gateway"));
    Map<String, String> annotations = ingress.getMetadata().getAnnotations();
    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("alb");
    assertThat(annotations).containsEntry("alb.ingress.kubernetes.io/target-type", "ip");
    assertThat(annotations).containsKey("alb.ingress.kubernetes.io/certificate-arn");
    String attributes = annotations.get("alb.ingress.kubernetes.io/load-balancer-attributes");
    long idle = Long.parseLong(attributes.replaceAll(".*idle_timeout\\.timeout_seconds=(\\d+).*", "$1"));
    long ping = seconds(env(container(chart.workload("gateway")), "SWITCHBOARD_GATEWAY_KEEP_ALIVE_PING_INTERVAL"));
    assertThat(idle).isGreaterThan(ping);
    assertThat(env(container(chart.workload("gateway")), "SWITCHBOARD_GATEWAY_LIMITS_TRUST_FORWARDED_FOR"))
        .as("behind the ALB the client is the right-most X-Forwarded-For entry").isEqualTo("true");
  }

  @Test
  void theNlbOptionTargetsPodIpsAndKeepsTheClientsAddress() {
    RenderedChart chart = render("aws-managed-values.yaml");
    Service gateway = chart.one(Service.class, RenderedChart.name("gateway"));
    assertThat(gateway.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(gateway.getMetadata().getAnnotations())
        .containsEntry("service.beta.kubernetes.io/aws-load-balancer-type", "external")
        .containsEntry("service.beta.kubernetes.io/aws-load-balancer-nlb-target-type", "ip")
        .containsEntry("service.beta.kubernetes.io/aws-load-balancer-target-group-attributes",
            "preserve_client_ip.enabled=true");
    assertThat(env(container(chart.workload("gateway")), "SWITCHBOARD_GATEWAY_LIMITS_TRUST_FORWARDED_FOR"))
        .as("an NLB adds no X-Forwarded-For: trusting it would let clients pick their address").isEqualTo("false");
    assertThat(chart.all(Ingress.class)).isEmpty();
  }

  // ---- monitoring ---------------------------------------------------------------------------------

  @Test
  void thePrometheusRuleCarriesTheRuleFileAsItIs() {
    RenderedChart chart = render("aws-managed-values.yaml");
    PrometheusRule rule = chart.one(PrometheusRule.class, RenderedChart.name("rules"));
    Map<String, Object> file = HelmValues.load(RenderedChart.CHART.resolve("files/prometheus/switchboard.rules.yaml"));
    List<Map<String, Object>> groups = HelmValues.YAML.convertValue(file.get("groups"),
        new TypeReference<List<Map<String, Object>>>() {});
    assertThat(rule.getSpec().getGroups()).extracting(RuleGroup::getName)
        .containsExactlyElementsOf(groups.stream().map(g -> (String) g.get("name")).toList());
    for (int i = 0; i < groups.size(); i++) {
      List<Map<String, Object>> rules = HelmValues.YAML.convertValue(groups.get(i).get("rules"),
          new TypeReference<List<Map<String, Object>>>() {});
      List<Rule> rendered = rule.getSpec().getGroups().get(i).getRules();
      assertThat(rendered).hasSameSizeAs(rules);
      for (int j = 0; j < rules.size(); j++) {
        Rule r = rendered.get(j);
        assertThat(Objects.requireNonNullElse(r.getAlert(), r.getRecord()))
            .isEqualTo(Objects.requireNonNullElse(rules.get(j).get("alert"), rules.get(j).get("record")));
        assertThat(r.getExpr().getStrVal().strip()).isEqualTo(String.valueOf(rules.get(j).get("expr")).strip());
      }
    }
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
  }

  @Test
  void everyDashboardBecomesAConfigMapForGrafanasSidecar() throws IOException {
    RenderedChart chart = render("aws-managed-values.yaml");
    List<Path> dashboards;
    try (Stream<Path> files = Files.list(RenderedChart.CHART.resolve("files/dashboards"))) {
      dashboards = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    List<ConfigMap> configMaps = chart.all(ConfigMap.class).stream()
        .filter(cm -> "1".equals(cm.getMetadata().getLabels().get("grafana_dashboard"))).toList();
    assertThat(configMaps).hasSameSizeAs(dashboards);
    for (Path dashboard : dashboards) {
      String file = dashboard.getFileName().toString();
      assertThat(configMaps).as("a ConfigMap holding %s", file).anySatisfy(cm -> {
        assertThat(cm.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Switchboard");
        assertThat(cm.getData()).containsKey(file);
        assertThat(cm.getData().get(file).strip()).isEqualTo(Files.readString(dashboard).strip());
      });
    }
  }

  // ---- refused values -----------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void badValuesAreRefusedWithAMessageThatSaysWhatToFix(Path bad) throws IOException {
    String first = Files.readAllLines(bad).get(0);
    assertThat(first).as("%s starts with '# expect: <message>'", bad).startsWith("# expect: ");
    String expected = first.substring("# expect: ".length());
    Path base = RenderedChart.CHART.resolve("ci/default-values.yaml");

    assertThatThrownBy(() -> RenderedChart.render(List.of(base, bad)))
        .as("helm template with %s", bad.getFileName()).hasMessageContaining(expected);
  }

  // ---- scripts ------------------------------------------------------------------------------------

  @Test
  void theChartsScriptsPassShellcheck() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("shellcheck", "--external-sources", "--severity=style"));
    try (Stream<Path> scripts = Files.list(RenderedChart.CHART.resolve("files/scripts"))) {
      scripts.filter(s -> s.toString().endsWith(".sh")).sorted().forEach(s -> command.add(s.toString()));
    }
    assertThat(command).hasSizeGreaterThan(3);
    Process shellcheck;
    try {
      shellcheck = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      fail("shellcheck is not installed (Debian's package shellcheck; .ci/run installs it): " + e.getMessage());
      return;
    }
    String output = new String(shellcheck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(shellcheck.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(shellcheck.exitValue()).as("shellcheck:%n%s", output).isZero();
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private static List<Container> containers(Workload w) {
    return WorkloadPolicies.containers(w);
  }

  private static Container container(Workload w) {
    return w.spec().getContainers().get(0);
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).filter(Objects::nonNull)
        .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " has no env " + name));
  }

  private static SecretKeySelector secretRef(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name) && e.getValueFrom() != null)
        .map(e -> e.getValueFrom().getSecretKeyRef()).filter(Objects::nonNull).findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + " takes no " + name + " from a Secret"));
  }

  private static int port(Container c, String name) {
    return c.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " has no port " + name));
  }

  private static long seconds(String duration) {
    assertThat(duration).matches("\\d+s");
    return Long.parseLong(duration.substring(0, duration.length() - 1));
  }

  private static boolean grants(Role role, String apiGroup, String resource, String... verbs) {
    return role.getRules().stream().anyMatch((PolicyRule r) -> r.getApiGroups().contains(apiGroup)
        && r.getResources().contains(resource) && r.getVerbs().containsAll(List.of(verbs)));
  }

  private static void assertBound(RenderedChart chart, Role role, Workload w) {
    String account = w.spec().getServiceAccountName();
    assertThat(chart.all(RoleBinding.class)).as("a RoleBinding of Role %s to %s", role.getMetadata().getName(), account)
        .anyMatch(b -> b.getRoleRef().getName().equals(role.getMetadata().getName())
            && b.getSubjects().stream().anyMatch(s -> s.getName().equals(account)
            && RenderedChart.NAMESPACE.equals(s.getNamespace())));
  }
}
