package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.delivery.ArgoCdApplications.Rendering;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/argocd: the objects parse as ArgoCD's CRDs have them, the ApplicationSet makes one
 * Application per overlay, every path and chart they point at exists and renders (kubectl
 * kustomize, helm), and the AppProject allows exactly what they use. Each check is also shown
 * catching a broken copy of the objects.
 */
class ArgoCdIT {

  private static final ArgoCdApplications ARGOCD = ArgoCdApplications.load(ArgoCdApplications.DIRECTORY);

  private static Map<String, Rendering> rendered(ArgoCdApplications argocd) {
    Map<String, Rendering> rendered = new LinkedHashMap<>();
    assertThat(argocd.sourceProblems(rendered)).isEmpty();
    return rendered;
  }

  @Test
  void theObjectsAreArgoCdsKindsWithTheirRequiredFieldsAndNoOthers() {
    assertThat(ARGOCD.objects()).extracting(o -> o.path("kind").asText())
        .containsExactlyInAnyOrder("AppProject", "ApplicationSet", "Application");
    assertThat(ARGOCD.shapeProblems()).isEmpty();
  }

  @Test
  void theApplicationSetMakesOneApplicationPerOverlayAndTheHelmWayIsOneMore() {
    assertThat(ARGOCD.applications()).extracting(a -> a.path("metadata").path("name").asText() + " <- "
            + a.path("spec").path("source").path("path").asText())
        .containsExactlyInAnyOrder(
            "switchboard-helm <- deploy/helm/switchboard",
            "switchboard-dev <- deploy/kustomize/overlays/dev",
            "switchboard-staging <- deploy/kustomize/overlays/staging",
            "switchboard-prod <- deploy/kustomize/overlays/prod");
  }

  @Test
  void everySourceIsTheProjectsRepositoryAndRendersIntoItsDestinationNamespace() {
    Map<String, Rendering> rendered = rendered(ARGOCD);
    assertThat(rendered).hasSize(4);
    assertThat(rendered.get("switchboard-helm").manifests()).as("the Helm way renders").hasSizeGreaterThan(20);
  }

  @Test
  void theHelmWayKeepsTheChartsWorkloadPolicies() {
    Rendering helm = rendered(ARGOCD).get("switchboard-helm");
    WorkloadPolicies.of("Application switchboard-helm", helm.manifests()).assertAll();
  }

  @Test
  void everyDestinationIsOneTheProjectAllows() {
    assertThat(ARGOCD.destinationProblems()).isEmpty();
  }

  @Test
  void theProjectPermitsExactlyTheKindsTheApplicationsRender() {
    assertThat(ARGOCD.whitelistProblems(rendered(ARGOCD))).isEmpty();
  }

  @Test
  void autoscaledReplicasAreIgnoredAndSyncOptionsFitEachApplication() {
    assertThat(ARGOCD.syncProblems(rendered(ARGOCD))).isEmpty();
  }

  // ---- each check catches a broken copy -----------------------------------------------------------

  /** One field of one object changed, and what the named check then says. */
  record Breakage(String name, Consumer<ArgoCdApplications> breakIt,
      BiFunction<ArgoCdApplications, Map<String, Rendering>, List<String>> check, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Breakage> breakages() {
    return Stream.of(
        new Breakage("a misspelt field", a -> spec(a, "Application").put("syncPolcy", "x"),
            (a, r) -> a.shapeProblems(), "unknown field spec.syncPolcy"),
        new Breakage("an unknown sync option", a -> syncOptions(a, "Application").add("ServerSideAply=true"),
            (a, r) -> a.shapeProblems(), "unknown sync option ServerSideAply=true"),
        new Breakage("an Application pointing at a missing path",
            a -> ((ObjectNode) spec(a, "ApplicationSet").path("template").path("spec").path("source"))
                .put("path", "deploy/kustomize/overlays/{{ .env }}-old"),
            (a, r) -> a.sourceProblems(new LinkedHashMap<>()), "source.path deploy/kustomize/overlays/dev-old is not a"
                + " directory"),
        new Breakage("a Helm value file that is not there",
            a -> ((ArrayNode) spec(a, "Application").path("source").path("helm").path("valueFiles"))
                .add("prod-values.yaml"),
            (a, r) -> a.sourceProblems(new LinkedHashMap<>()), "helm valueFile prod-values.yaml"),
        new Breakage("another repository",
            a -> ((ObjectNode) spec(a, "Application").path("source"))
                .put("repoURL", "https://github.com/fork/switchboard.git"),
            (a, r) -> a.sourceProblems(new LinkedHashMap<>()), "is not among the project's sourceRepos"),
        new Breakage("a destination the project does not allow",
            a -> ((ObjectNode) spec(a, "Application").path("destination")).put("namespace", "default"),
            (a, r) -> a.destinationProblems(), "destination switchboard-staging/default is not among"),
        new Breakage("ExternalSecret not whitelisted", a -> {
          ArrayNode list = (ArrayNode) spec(a, "AppProject").path("namespaceResourceWhitelist");
          list.remove(list.size() - 1);
        }, ArgoCdApplications::whitelistProblems,
            "renders external-secrets.io/ExternalSecret, which the project does not"),
        new Breakage("a kind whitelisted that nothing renders", a -> ((ArrayNode) spec(a, "AppProject")
            .path("namespaceResourceWhitelist")).addObject().put("group", "").put("kind", "Secret"),
            ArgoCdApplications::whitelistProblems, "permits /Secret, which no Application renders"),
        new Breakage("the signaling autoscaler's replicas not ignored", a -> {
          ArrayNode list = (ArrayNode) spec(a, "ApplicationSet").path("template").path("spec")
              .path("ignoreDifferences");
          list.remove(1);
        }, ArgoCdApplications::syncProblems, "scales Deployment switchboard-signaling, whose /spec/replicas"),
        new Breakage("prod synced automatically", a -> {
          for (JsonNode element : spec(a, "ApplicationSet").path("generators").get(0).path("list").path("elements")) {
            ((ObjectNode) element).put("autoSync", true);
          }
        }, ArgoCdApplications::syncProblems, "switchboard-prod: prod syncs by hand"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("breakages")
  void eachCheckReportsItsBrokenObject(Breakage b) {
    Map<String, Rendering> rendered = rendered(ARGOCD);
    assertThat(b.check().apply(ARGOCD, rendered)).as("the check passes on deploy/argocd as it is").isEmpty();

    ArgoCdApplications broken = ARGOCD.copy();
    b.breakIt().accept(broken);
    assertThat(b.check().apply(broken, rendered)).as("what the check says of %s", b)
        .anyMatch(p -> p.contains(b.expected()));
  }

  private static ObjectNode spec(ArgoCdApplications a, String kind) {
    return (ObjectNode) a.ofKind(kind).get(0).path("spec");
  }

  private static ArrayNode syncOptions(ArgoCdApplications a, String kind) {
    return (ArrayNode) spec(a, kind).path("syncPolicy").path("syncOptions");
  }
}
