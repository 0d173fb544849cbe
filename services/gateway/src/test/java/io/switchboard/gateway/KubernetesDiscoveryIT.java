package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayFixture.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway in Kubernetes: signaling pods are the signaling Service's ready endpoints, found by
 * spring-cloud-kubernetes (fabric8) from a Kubernetes API — here fabric8's mock server, with the
 * endpoints of two real signaling pods. A pod withdrawn from the endpoints (not ready, or gone)
 * gets no new sockets.
 */
class KubernetesDiscoveryIT {

  static final GatewayFixture STACK = GatewayFixture.shared();
  static final KubernetesMockServer API = new KubernetesMockServer(new Context(), new MockWebServer(),
      new HashMap<>(), new KubernetesCrudDispatcher(), false);
  static final KubernetesClient K8S = start();
  static final ConfigurableApplicationContext GATEWAY = STACK.gatewayTo(List.of(),
      "--spring.main.cloud-platform=kubernetes",
      "--spring.cloud.kubernetes.client.master-url=" + API.url("/"),
      "--spring.cloud.kubernetes.client.namespace=test",
      "--spring.cloud.kubernetes.discovery.catalog-services-watch.enabled=false",
      "--spring.cloud.discovery.client.health-indicator.enabled=false");
  final List<GatewaySocket> sockets = new ArrayList<>();

  static KubernetesClient start() {
    System.setProperty("kubernetes.auth.tryKubeConfig", "false"); // nothing from a developer's kubeconfig
    API.init();
    KubernetesClient k8s = API.createClient();
    k8s.services().inNamespace("test").resource(new ServiceBuilder()
        .withNewMetadata().withName("signaling").withNamespace("test").endMetadata()
        .withNewSpec().withType("ClusterIP").addNewPort().withName("http").withPort(8081).endPort().endSpec()
        .build()).create();
    k8s.endpoints().inNamespace("test").resource(endpoints(subset(0), subset(1))).create();
    return k8s;
  }

  /** Pod i's ready address: every pod is on 127.0.0.1 here, so each has its own subset and port. */
  static EndpointSubset subset(int pod) {
    return new EndpointSubsetBuilder()
        .addNewAddress().withIp("127.0.0.1")
        .withNewTargetRef().withKind("Pod").withName("signaling-" + pod).withUid("uid-" + pod).endTargetRef()
        .endAddress()
        .addNewPort().withName("pod-" + pod).withPort(STACK.pods.get(pod).port()).withProtocol("TCP").endPort()
        .build();
  }

  static Endpoints endpoints(EndpointSubset... subsets) {
    return new EndpointsBuilder().withNewMetadata().withName("signaling").withNamespace("test").endMetadata()
        .withSubsets(subsets).build();
  }

  @AfterEach
  void closeSockets() {
    sockets.forEach(GatewaySocket::close);
  }

  @AfterAll
  static void stop() {
    K8S.close();
    API.destroy();
  }

  private String podOfNewSocket(String room, String name) {
    GatewaySocket s = GatewaySocket.to(url(GATEWAY, "/groupcall")).open();
    sockets.add(s);
    s.join(name, room);
    return STACK.podOf(room, name);
  }

  @Test
  void socketsGoToTheServicesReadyEndpointsOnly() {
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> podOfNewSocket("k8s-probe", "probe-" + System.nanoTime()) != null);
    Set<String> pods = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      pods.add(podOfNewSocket("k8s", "a" + i));
    }
    assertThat(pods).containsExactlyInAnyOrder("pod-0", "pod-1"); // pod-2 runs, but is not an endpoint

    // pod-0 is withdrawn from the Service (it turned not-ready, or its pod is being deleted).
    K8S.endpoints().inNamespace("test").resource(endpoints(subset(1))).update();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        seen.add(podOfNewSocket("k8s-after", "b" + System.nanoTime()));
      }
      return seen.equals(Set.of("pod-1"));
    });
    for (int i = 0; i < 6; i++) {
      assertThat(podOfNewSocket("k8s-after", "c" + i)).isEqualTo("pod-1");
    }
  }
}
