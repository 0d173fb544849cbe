package io.switchboard.placement.nodes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KMS pods found through the Kubernetes API: a fabric8 informer watches the pods matching a label
 * selector; a pod is a node while it is Ready and has an IP (KMS runs on the host network, so the
 * pod IP is the node's address). A pod being deleted stays a node while it is Ready, marked
 * terminating (it is drained: its calls go on while its preStop hook waits for them to end); a pod
 * that is gone or not ready leaves, and its rooms are evacuated.
 */
public final class KubernetesNodeDiscovery implements NodeDiscovery, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KubernetesNodeDiscovery.class);

  private final SharedIndexInformer<Pod> informer;
  private final int port;
  private final String path;
  private final String capacityAnnotation;
  private final int defaultCapacity;

  public KubernetesNodeDiscovery(KubernetesClient client, String namespace, String labelSelector, int port,
      String path, String capacityAnnotation, int defaultCapacity) {
    this.port = port;
    this.path = path.startsWith("/") ? path : "/" + path;
    this.capacityAnnotation = capacityAnnotation;
    this.defaultCapacity = defaultCapacity;
    String ns = namespace == null || namespace.isBlank() ? client.getNamespace() : namespace;
    this.informer = client.pods().inNamespace(ns).withLabelSelector(labelSelector).inform();
    log.info("watching KMS pods in namespace {} with labels {}", ns, labelSelector);
  }

  @Override
  public List<DiscoveredNode> nodes() {
    return informer.getStore().list().stream()
        .filter(KubernetesNodeDiscovery::ready)
        .map(this::toNode)
        .filter(Objects::nonNull)
        .sorted(java.util.Comparator.comparing(DiscoveredNode::id))
        .toList();
  }

  private DiscoveredNode toNode(Pod pod) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip == null || ip.isBlank()) {
      return null;
    }
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
    return new DiscoveredNode(pod.getMetadata().getName(), "ws://" + host + ":" + port + path, capacity(pod), terminating);
  }

  private int capacity(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(capacityAnnotation);
    if (value == null) {
      return defaultCapacity;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      return parsed > 0 ? parsed : defaultCapacity;
    } catch (NumberFormatException e) {
      log.warn("pod {}: annotation {}={} is not a number", pod.getMetadata().getName(), capacityAnnotation, value);
      return defaultCapacity;
    }
  }

  private static boolean ready(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }

  @Override
  public boolean synced() {
    return informer.hasSynced();
  }

  @Override
  public void close() {
    informer.close();
  }
}
