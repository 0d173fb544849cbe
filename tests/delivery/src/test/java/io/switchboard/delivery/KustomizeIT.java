package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/kustomize, rendered by the real kustomize (kubectl kustomize): the base is the chart
 * rendered with values/ (no copy by hand), every overlay renders, parses strictly, keeps the chart's
 * workload policies and is wired for its environment. Every check is also shown failing on a copy of
 * deploy/kustomize with one thing broken.
 */
class KustomizeIT {

  static final Path KUSTOMIZE = ChartToKustomize.KUSTOMIZE;

  static Stream<String> overlays() {
    return Stream.of("dev", "staging", "prod");
  }

  private static RenderedKustomization overlay(String name) {
    return RenderedKustomization.of(KUSTOMIZE.resolve("overlays").resolve(name));
  }

  // ---- one source of truth ------------------------------------------------------------------------

  @Test
  void theCommittedBaseAndChartMadeComponentsAreWhatTheChartRendersWithTheCommittedValues() {
    SortedMap<String, String> generated = ChartToKustomize.generate(KUSTOMIZE);
    if (Boolean.getBoolean("kustomize.regenerate")) {
      ChartToKustomize.write(generated, KUSTOMIZE);
    }
    ChartToKustomize.firstDifference(generated, KUSTOMIZE).ifPresent(difference -> {
      throw new AssertionError("deploy/kustomize/" + difference + "\nThe base and the chart-made components are the"
          + " chart rendered with deploy/kustomize/values/*.yaml: change those (or the chart), never the output."
          + " Regenerate with:\n  " + ChartToKustomize.REGENERATE);
    });
  }

  @Test
  void theDriftCheckNamesAFileEditedByHandAMissingOneAndAStaleOne() throws IOException {
    SortedMap<String, String> generated = ChartToKustomize.generate(KUSTOMIZE);
    Path copy = Path.of("target/kustomize-drift").toAbsolutePath();
    ChartToKustomize.write(generated, copy);
    assertThat(ChartToKustomize.firstDifference(generated, copy)).isEmpty();

    Path budget = copy.resolve("base/poddisruptionbudget-switchboard-signaling.yaml");
    Files.writeString(budget, Files.readString(budget).replace("maxUnavailable: 1", "maxUnavailable: 3"));
    assertThat(ChartToKustomize.firstDifference(generated, copy)).hasValueSatisfying(d -> assertThat(d)
        .contains("base/poddisruptionbudget-switchboard-signaling.yaml differs").contains("maxUnavailable: 3"));

    ChartToKustomize.write(generated, copy);
    Files.delete(copy.resolve("components/monitoring/prometheusrule-switchboard-rules.yaml"));
    assertThat(ChartToKustomize.firstDifference(generated, copy))
        .hasValue("components/monitoring/prometheusrule-switchboard-rules.yaml is missing");

    ChartToKustomize.write(generated, copy);
    Files.writeString(copy.resolve("base/deployment-old.yaml"), "kind: Deployment\n");
    assertThat(ChartToKustomize.firstDifference(generated, copy))
        .hasValue("base/deployment-old.yaml is not generated any more (stale)");
  }

  // ---- rendering and the model --------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"base", "overlays/dev", "overlays/staging", "overlays/prod"})
  void kubectlKustomizeRendersIt(String directory) {
    assertThat(RenderedKustomization.of(KUSTOMIZE.resolve(directory)).manifests()).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void everyDocumentIsAKnownKindWithoutUnknownFields(String name) {
    RenderedKustomization r = overlay(name);
    assertThat(OverlayChecks.modelProblems(r)).as("wrong types, unknown fields, unchecked kinds in %s", r).isEmpty();
    assertThat(r.customResources()).as("ExternalSecrets of %s", r).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void theChartsWorkloadPoliciesHoldForEveryOverlay(String name) {
    RenderedKustomization r = overlay(name);
    WorkloadPolicies.of(r.toString(), r.manifests()).assertAll();
  }

  // ---- wiring -------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void everythingIsInTheOverlaysNamespaceAndEveryServiceUrlPointsThere(String name) {
    assertThat(OverlayChecks.namespaceProblems(overlay(name))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void noPlaceholderOfTheBaseIsLeft(String name) {
    assertThat(OverlayChecks.placeholderProblems(overlay(name))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void everySecretKeyAPodReadsIsMadeByAnExternalSecret(String name) {
    assertThat(OverlayChecks.referenceProblems(overlay(name))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void everyEnvReferenceNamesAVariableAboveIt(String name) {
    assertThat(OverlayChecks.envOrderProblems(overlay(name))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void theNamespaceThenSecretsAndTrialBackendsSyncBeforeTheServices(String name) {
    assertThat(OverlayChecks.syncWaveProblems(overlay(name))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void everySwitchboardImageComesFromTheOverlaysImagesEntry(String name) {
    assertThat(OverlayChecks.imageProblems(overlay(name))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void everyOverlayUsesOneBackendTheNetworkPoliciesAndTheNamespaceWiring(String name) {
    assertThat(OverlayChecks.componentProblems(overlay(name))).isEmpty();
  }

  @Test
  void theEnvironmentsDifferWhereTheyShould() {
    RenderedKustomization dev = overlay("dev");
    RenderedKustomization prod = overlay("prod");
    assertThat(kinds(dev)).contains("Deployment/switchboard-redis", "StatefulSet/switchboard-kafka")
        .doesNotContain("HorizontalPodAutoscaler/switchboard-signaling", "ServiceMonitor/switchboard-signaling");
    assertThat(kinds(prod)).contains("HorizontalPodAutoscaler/switchboard-signaling",
        "ServiceMonitor/switchboard-signaling", "PrometheusRule/switchboard-rules")
        .doesNotContain("Deployment/switchboard-redis");
    assertThat(prod.yaml()).contains("rediss://").doesNotContain("redis://switchboard-redis");
  }

  private static List<String> kinds(RenderedKustomization r) {
    return r.manifests().stream().map(m -> m.kind() + "/" + m.name()).toList();
  }

  // ---- each check fails on a broken copy ----------------------------------------------------------

  /** One thing broken in a copy of deploy/kustomize, and what the named check must then say. */
  record Breakage(String name, String overlay, Consumer<Path> breakIt,
      Function<RenderedKustomization, List<String>> check, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Breakage> breakages() {
    return Stream.of(
        new Breakage("a misspelt field", "dev",
            k -> append(k, "overlays/dev/resources.yaml", deploymentPatch("state", "          resourcez: {}")),
            OverlayChecks::modelProblems, "unknown field(s) [resourcez]"),
        new Breakage("an ExternalSecret without its store", "dev",
            k -> replace(k, "overlays/dev/external-secrets.yaml", "    name: aws-secrets-manager\n", ""),
            OverlayChecks::modelProblems, "spec.secretStoreRef.name is missing"),
        new Breakage("the namespace wiring left out", "dev",
            k -> replace(k, "overlays/dev/kustomization.yaml", "  - ../../components/namespace\n", ""),
            OverlayChecks::namespaceProblems, "switchboard-placement.switchboard.svc is not a Service"),
        new Breakage("the ingress host not set", "staging",
            k -> replace(k, "overlays/staging/kustomization.yaml", "  - path: ingress.yaml\n    target:\n      kind:"
                + " Ingress\n      name: switchboard-gateway\n", ""),
            OverlayChecks::placeholderProblems, "switchboard.example.invalid"),
        new Breakage("the ExternalSecret of the app's secrets left out", "dev",
            k -> replace(k, "overlays/dev/kustomization.yaml", "  - external-secrets.yaml\n", ""),
            OverlayChecks::referenceProblems, "reads key identity-secret of Secret switchboard-secrets"),
        new Breakage("the service token left out of the app's ExternalSecret", "prod",
            k -> replace(k, "overlays/prod/external-secrets.yaml", "    - secretKey: service-token\n      remoteRef:\n"
                + "        key: switchboard-prod/app\n        property: service-token\n", ""),
            OverlayChecks::referenceProblems, "reads key service-token of Secret switchboard-secrets"),
        new Breakage("the service token left out of the app's ExternalSecret, as KMS mounts it", "dev",
            k -> replace(k, "overlays/dev/external-secrets.yaml", "    - secretKey: service-token\n      remoteRef:\n"
                + "        key: switchboard-dev/app\n        property: service-token\n", ""),
            OverlayChecks::referenceProblems, "mounts key service-token of Secret switchboard-secrets"),
        new Breakage("a $(VAR) above its variable", "dev",
            k -> append(k, "overlays/dev/resources.yaml", deploymentPatch("state",
                "          env:\n            - name: STATE_URL\n              value: http://$(STATE_HOST)/")),
            OverlayChecks::envOrderProblems, "refers to $(STATE_HOST)"),
        new Breakage("an ExternalSecret in the services' wave", "prod",
            k -> replace(k, "overlays/prod/external-secrets.yaml", "argocd.argoproj.io/sync-wave: \"-1\"",
                "argocd.argoproj.io/sync-wave: \"0\""),
            OverlayChecks::syncWaveProblems, "does not come after the Namespace"),
        new Breakage("an image without its images: entry", "staging",
            k -> replace(k, "overlays/staging/kustomization.yaml", "  - name: switchboard-state\n    newName:"
                + " 123456789012.dkr.ecr.eu-west-1.amazonaws.com/switchboard-state\n    newTag: 0.1.0\n", ""),
            OverlayChecks::imageProblems, "no images: entry for switchboard-state"),
        new Breakage("both backends", "staging",
            k -> replace(k, "overlays/staging/kustomization.yaml", "  - ../../components/managed-aws\n",
                "  - ../../components/managed-aws\n  - ../../components/in-cluster-backends\n"),
            OverlayChecks::componentProblems, "exactly one of"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("breakages")
  void eachCheckReportsItsBrokenOverlay(Breakage b) {
    Path copy = brokenCopy(b.name(), b.breakIt());
    RenderedKustomization intact = overlay(b.overlay());
    assertThat(b.check().apply(intact)).as("the check passes on the intact %s", intact).isEmpty();

    RenderedKustomization broken = RenderedKustomization.of(copy.resolve("overlays").resolve(b.overlay()));
    assertThat(b.check().apply(broken)).as("what the check says of %s", b).anyMatch(p -> p.contains(b.expected()));
  }

  @Test
  void theWorkloadPoliciesRefuseAnOverlayThatDropsAMemoryLimit() {
    Path copy = brokenCopy("no memory limit", k -> append(k, "overlays/dev/resources.yaml",
        deploymentPatch("placement", "          resources:\n            limits:\n              memory: null")));
    RenderedKustomization broken = RenderedKustomization.of(copy.resolve("overlays/dev"));
    assertThatThrownBy(() -> WorkloadPolicies.of(broken.toString(), broken.manifests()).assertAll())
        .hasMessageContaining("switchboard-placement").hasMessageContaining("limits");
  }

  private static String deploymentPatch(String component, String containerFields) {
    return """
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: switchboard-%s
        spec:
          template:
            spec:
              containers:
                - name: %s
        %s
        """.formatted(component, component, containerFields);
  }

  /** A copy of deploy/kustomize under target/ (the chart-relative paths keep working), broken. */
  private static Path brokenCopy(String name, Consumer<Path> breakIt) {
    Path copy = RenderedChart.REPOSITORY.resolve("tests/delivery/target/kustomize-broken")
        .resolve(name.replaceAll("[^A-Za-z0-9]+", "-"));
    DirectoryCopy.of(KUSTOMIZE, copy);
    breakIt.accept(copy);
    return copy;
  }

  private static void replace(Path root, String file, String text, String with) {
    Path f = root.resolve(file);
    try {
      String content = Files.readString(f, StandardCharsets.UTF_8);
      assertThat(content).as("%s holds the text to break", file).contains(text);
      Files.writeString(f, content.replace(text, with), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void append(Path root, String file, String text) {
    try {
      Files.writeString(root.resolve(file), text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
