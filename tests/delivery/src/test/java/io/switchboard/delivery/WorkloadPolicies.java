package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.switchboard.delivery.RenderedChart.Manifest;
import io.switchboard.delivery.RenderedChart.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The rules every pod and Deployment Switchboard ships must keep, whichever tool renders them: the
 * Helm chart (HelmChartIT) and the kustomize overlays (KustomizeIT) are held to the same ones.
 * Each rule fails with an AssertionError naming the object and what is wrong.
 */
final class WorkloadPolicies {

  private final String rendering;
  private final List<Manifest> manifests;

  private WorkloadPolicies(String rendering, List<Manifest> manifests) {
    this.rendering = rendering;
    this.manifests = List.copyOf(manifests);
  }

  static WorkloadPolicies of(RenderedChart chart) {
    return new WorkloadPolicies(chart.toString(), chart.manifests());
  }

  /** {@code rendering} says where the manifests come from, for the failure messages. */
  static WorkloadPolicies of(String rendering, List<Manifest> manifests) {
    return new WorkloadPolicies(rendering, manifests);
  }

  /** Every rule below, in turn. */
  void assertAll() {
    podsHaveDifferentProbesResourcesAndARestrictedSecurityContext();
    imagesArePinnedToATagOtherThanLatest();
    multiReplicaDeploymentsHaveADisruptionBudget();
    autoscaledDeploymentsLeaveTheirReplicasToTheAutoscaler();
    serviceAndNetworkPolicySelectorsSelectRenderedPods();
  }

  void podsHaveDifferentProbesResourcesAndARestrictedSecurityContext() {
    for (Workload w : workloads()) {
      PodSecurityContext pod = Optional.ofNullable(w.spec().getSecurityContext()).orElse(new PodSecurityContext());
      assertThat(pod.getSeccompProfile()).as("%s seccompProfile", w).isNotNull();
      assertThat(pod.getSeccompProfile().getType()).as("%s seccompProfile", w).isEqualTo("RuntimeDefault");
      for (Container c : containers(w)) {
        String what = w + " container " + c.getName();
        if (!w.isHelmTest()) {
          // A helm test pod runs to completion: there is nothing to route to or restart.
          assertThat(c.getReadinessProbe()).as("%s readinessProbe", what).isNotNull();
          assertThat(c.getLivenessProbe()).as("%s livenessProbe", what).isNotNull();
          assertThat(c.getLivenessProbe()).as("%s liveness differs from readiness", what)
              .isNotEqualTo(c.getReadinessProbe());
        }
        assertThat(c.getResources().getRequests()).as("%s requests", what).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).as("%s limits", what).containsKey("memory");

        SecurityContext sc = Optional.ofNullable(c.getSecurityContext()).orElse(new SecurityContext());
        assertThat(sc.getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", what).isFalse();
        assertThat(sc.getCapabilities()).as("%s capabilities", what).isNotNull();
        assertThat(sc.getCapabilities().getDrop()).as("%s drops", what).contains("ALL");
        assertThat(sc.getCapabilities().getAdd()).as("%s adds no capability", what).isNullOrEmpty();
        if (w.component().equals("kms")) {
          // The one exception, on purpose: Kurento's entrypoint rewrites its .ini files under /etc
          // as root from the KMS_* variables (see the DaemonSet's comment).
          assertThat(sc.getRunAsUser()).as("%s runs as root, explicitly", what).isEqualTo(0L);
          assertThat(sc.getRunAsNonRoot()).as("%s runAsNonRoot", what).isFalse();
        } else {
          Boolean nonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : pod.getRunAsNonRoot();
          Long user = sc.getRunAsUser() != null ? sc.getRunAsUser() : pod.getRunAsUser();
          assertThat(nonRoot).as("%s runAsNonRoot", what).isTrue();
          assertThat(user).as("%s runAsUser", what).isNotNull().isNotZero();
          assertThat(sc.getReadOnlyRootFilesystem()).as("%s readOnlyRootFilesystem", what).isTrue();
        }
      }
    }
  }

  void imagesArePinnedToATagOtherThanLatest() {
    for (Workload w : workloads()) {
      for (Container c : containers(w)) {
        String image = c.getImage();
        String lastPart = image.substring(image.lastIndexOf('/') + 1);
        assertThat(lastPart).as("%s image %s has a tag or digest", w, image).matches(".+(:[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[0-9a-f]{64})");
        assertThat(lastPart.toLowerCase(Locale.ROOT)).as("%s image %s", w, image).doesNotEndWith(":latest");
      }
    }
  }

  void multiReplicaDeploymentsHaveADisruptionBudget() {
    List<PodDisruptionBudget> budgets = all(PodDisruptionBudget.class);
    for (Deployment d : all(Deployment.class)) {
      int replicas = minimumReplicas(d);
      if (replicas > 1) {
        Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(budgets).as("a PodDisruptionBudget selecting Deployment %s (%d replicas at least)",
            d.getMetadata().getName(), replicas).anyMatch(b -> selects(b.getSpec().getSelector(), labels));
      }
    }
  }

  void autoscaledDeploymentsLeaveTheirReplicasToTheAutoscaler() {
    for (HorizontalPodAutoscaler hpa : all(HorizontalPodAutoscaler.class)) {
      Deployment target = one(Deployment.class, hpa.getSpec().getScaleTargetRef().getName());
      assertThat(target.getSpec().getReplicas()).as("replicas of %s, which %s scales (ArgoCD would fight it)",
          target.getMetadata().getName(), hpa.getMetadata().getName()).isNull();
      assertThat(hpa.getSpec().getMinReplicas()).isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
    }
  }

  void serviceAndNetworkPolicySelectorsSelectRenderedPods() {
    List<Map<String, String>> pods = workloads().stream().map(Workload::labels).toList();
    for (Service s : all(Service.class)) {
      Map<String, String> selector = s.getSpec().getSelector();
      assertThat(selector).as("Service %s has a selector", s.getMetadata().getName()).isNotEmpty();
      assertThat(pods).as("pods selected by Service %s (%s)", s.getMetadata().getName(), selector)
          .anyMatch(labels -> labels.entrySet().containsAll(selector.entrySet()));
    }
    for (NetworkPolicy np : all(NetworkPolicy.class)) {
      String name = np.getMetadata().getName();
      assertThat(pods).as("pods NetworkPolicy %s applies to", name)
          .anyMatch(labels -> selects(np.getSpec().getPodSelector(), labels));
      for (NetworkPolicyIngressRule rule : np.getSpec().getIngress()) {
        for (NetworkPolicyPeer peer : rule.getFrom()) {
          if (peer.getPodSelector() != null && peer.getNamespaceSelector() == null) {
            assertThat(pods).as("pods NetworkPolicy %s lets in (%s)", name, peer.getPodSelector().getMatchLabels())
                .anyMatch(labels -> selects(peer.getPodSelector(), labels));
          }
        }
      }
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private List<Workload> workloads() {
    return RenderedChart.workloadsOf(manifests);
  }

  private <T extends HasMetadata> List<T> all(Class<T> type) {
    return manifests.stream().map(Manifest::object).filter(type::isInstance).map(type::cast).toList();
  }

  private <T extends HasMetadata> T one(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " rendered with "
            + rendering + "; rendered: " + manifests));
  }

  static List<Container> containers(Workload w) {
    List<Container> all = new ArrayList<>(w.spec().getContainers());
    Optional.ofNullable(w.spec().getInitContainers()).ifPresent(all::addAll);
    return all;
  }

  /** Whether a selector (matchLabels only: the chart's never use expressions) selects these labels. */
  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    Map<String, String> wanted = selector == null ? null : selector.getMatchLabels();
    return wanted != null && !wanted.isEmpty() && labels != null && labels.entrySet().containsAll(wanted.entrySet())
        && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
  }

  private int minimumReplicas(Deployment d) {
    return all(HorizontalPodAutoscaler.class).stream()
        .filter(h -> h.getSpec().getScaleTargetRef().getName().equals(d.getMetadata().getName()))
        .map(h -> Objects.requireNonNullElse(h.getSpec().getMinReplicas(), 1)).findFirst()
        .orElse(Objects.requireNonNullElse(d.getSpec().getReplicas(), 1));
  }
}
