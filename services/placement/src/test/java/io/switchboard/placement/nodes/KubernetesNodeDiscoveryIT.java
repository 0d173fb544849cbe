package io.switchboard.placement.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery of KMS pods against fabric8's Kubernetes mock server (CRUD mode, on loopback). */
@EnableKubernetesMockClient(crud = true)
class KubernetesNodeDiscoveryIT {

  static KubernetesClient client;
  private KubernetesNodeDiscovery discovery;

  @BeforeEach
  void start() {
    discovery = new KubernetesNodeDiscovery(client, "media", "app=kms", 8888, "/kurento",
        "switchboard.io/kms-capacity", 400);
    await().atMost(Duration.ofSeconds(10)).until(discovery::synced);
  }

  @AfterEach
  void stop() {
    discovery.close();
    client.pods().inNamespace("media").delete();
  }

  private static Pod pod(String name, String ip, boolean ready, Map<String, String> labels, Map<String, String> annotations) {
    return new PodBuilder()
        .withNewMetadata().withName(name).withNamespace("media").withLabels(labels).withAnnotations(annotations).endMetadata()
        .withNewStatus().withPodIP(ip)
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus()
        .build();
  }

  @Test
  void readyKmsPodsAreNodesAndLeaveWhenNotReadyOrDeleted() {
    client.pods().inNamespace("media").resource(pod("kms-0", "127.0.0.2", true, Map.of("app", "kms"), Map.of())).create();
    client.pods().inNamespace("media").resource(
        pod("kms-1", "127.0.0.3", true, Map.of("app", "kms"), Map.of("switchboard.io/kms-capacity", "250"))).create();
    client.pods().inNamespace("media").resource(pod("kms-2", "127.0.0.4", false, Map.of("app", "kms"), Map.of())).create();
    client.pods().inNamespace("media").resource(pod("web-0", "127.0.0.5", true, Map.of("app", "web"), Map.of())).create();

    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.nodes().size() == 2);
    assertThat(discovery.nodes()).containsExactly(
        new DiscoveredNode("kms-0", "ws://127.0.0.2:8888/kurento", 400),
        new DiscoveredNode("kms-1", "ws://127.0.0.3:8888/kurento", 250));

    client.pods().inNamespace("media").resource(pod("kms-0", "127.0.0.2", false, Map.of("app", "kms"), Map.of())).update();
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.nodes().size() == 1);
    assertThat(discovery.nodes()).extracting(DiscoveredNode::id).containsExactly("kms-1");

    client.pods().inNamespace("media").withName("kms-1").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.nodes().isEmpty());

    client.pods().inNamespace("media").resource(pod("kms-2", "127.0.0.4", true, Map.of("app", "kms"), Map.of())).update();
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.nodes().size() == 1);
    assertThat(discovery.nodes().get(0).id()).isEqualTo("kms-2");
  }

  @Test
  void aPodBeingDeletedStaysANodeWhileReadyMarkedTerminating() {
    // A finalizer keeps the deleted pod visible with a deletion timestamp, as the API server shows a
    // pod while its preStop hook runs.
    Pod kms = pod("kms-7", "127.0.0.7", true, Map.of("app", "kms"), Map.of());
    kms.getMetadata().setFinalizers(List.of("switchboard.io/test"));
    client.pods().inNamespace("media").resource(kms).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.nodes().size() == 1);
    assertThat(discovery.nodes().get(0).terminating()).isFalse();

    client.pods().inNamespace("media").withName("kms-7").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.nodes().size() == 1 && discovery.nodes().get(0).terminating());
    assertThat(discovery.nodes().get(0)).isEqualTo(new DiscoveredNode("kms-7", "ws://127.0.0.7:8888/kurento", 400, true));

    client.pods().inNamespace("media").withName("kms-7").edit(p -> {
      p.getStatus().getConditions().get(0).setStatus("False");
      return p;
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.nodes().isEmpty());
    client.pods().inNamespace("media").withName("kms-7").edit(p -> {
      p.getMetadata().setFinalizers(List.of());
      return p;
    });
  }

  @Test
  void aBadCapacityAnnotationFallsBackToTheDefault() {
    client.pods().inNamespace("media").resource(
        pod("kms-9", "127.0.0.9", true, Map.of("app", "kms"), Map.of("switchboard.io/kms-capacity", "lots"))).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.nodes().size() == 1);
    assertThat(discovery.nodes().get(0).capacity()).isEqualTo(400);
  }

  @Test
  void podsWithoutAnIpAreNotNodesYet() {
    client.pods().inNamespace("media").resource(pod("kms-5", null, true, Map.of("app", "kms"), Map.of())).create();
    client.pods().inNamespace("media").resource(pod("kms-6", "127.0.0.6", true, Map.of("app", "kms"), Map.of())).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> discovery.nodes().size() == 1);
    assertThat(discovery.nodes().get(0).id()).isEqualTo("kms-6");
    assertThat(List.of(discovery.synced())).containsExactly(true);
  }
}
