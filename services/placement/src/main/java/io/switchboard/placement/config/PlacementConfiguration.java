package io.switchboard.placement.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.placement.PlacementMetrics;
import io.switchboard.placement.RoomPlacementService;
import io.switchboard.placement.domain.LeastLoadedSelector;
import io.switchboard.placement.domain.NodeSelector;
import io.switchboard.placement.domain.PlacementStore;
import io.switchboard.placement.domain.PowerOfTwoChoicesSelector;
import io.switchboard.placement.media.kurento.KurentoKmsProbe;
import io.switchboard.placement.nodes.CompositeNodeDiscovery;
import io.switchboard.placement.nodes.KmsProbe;
import io.switchboard.placement.nodes.KubernetesNodeDiscovery;
import io.switchboard.placement.nodes.NodeDiscovery;
import io.switchboard.placement.nodes.NodeMonitor;
import io.switchboard.placement.nodes.StaticNodeDiscovery;
import io.switchboard.placement.store.redis.RedisPlacementStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Wires the ports to their adapters. */
@Configuration(proxyBeanMethods = false)
class PlacementConfiguration {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  PlacementStore placementStore(StringRedisTemplate redis) {
    return new RedisPlacementStore(redis);
  }

  @Bean
  NodeSelector nodeSelector(PlacementProperties properties) {
    return switch (properties.strategy()) {
      case LEAST_LOADED -> new LeastLoadedSelector();
      case POWER_OF_TWO -> new PowerOfTwoChoicesSelector();
    };
  }

  @Bean
  PlacementMetrics placementMetrics(MeterRegistry registry) {
    return new PlacementMetrics(registry);
  }

  @Bean
  RoomPlacementService roomPlacementService(PlacementStore store, NodeSelector selector, PlacementProperties properties,
      PlacementMetrics metrics, Clock clock) {
    return new RoomPlacementService(store, selector, properties, metrics, clock);
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "switchboard.placement.kubernetes.enabled", havingValue = "true")
  KubernetesClient kubernetesClient() {
    return new KubernetesClientBuilder().build();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "switchboard.placement.kubernetes.enabled", havingValue = "true")
  KubernetesNodeDiscovery kubernetesNodeDiscovery(KubernetesClient client, PlacementProperties properties) {
    PlacementProperties.Kubernetes k = properties.kubernetes();
    return new KubernetesNodeDiscovery(client, k.namespace(), k.labelSelector(), k.port(), k.path(),
        k.capacityAnnotation(), properties.defaultCapacity());
  }

  @Bean
  NodeDiscovery nodeDiscovery(PlacementProperties properties, ObjectProvider<KubernetesNodeDiscovery> kubernetes) {
    List<NodeDiscovery> sources = new ArrayList<>();
    sources.add(new StaticNodeDiscovery(properties.nodes(), properties.defaultCapacity()));
    kubernetes.ifAvailable(sources::add);
    return new CompositeNodeDiscovery(sources);
  }

  @Bean
  KmsProbe kmsProbe(PlacementProperties properties) {
    return new KurentoKmsProbe(properties.requestTimeout(), properties.cpuSample());
  }

  @Bean(initMethod = "start", destroyMethod = "close")
  NodeMonitor nodeMonitor(PlacementStore store, NodeDiscovery discovery, KmsProbe probe, PlacementProperties properties,
      PlacementMetrics metrics, Clock clock) {
    return new NodeMonitor(store, discovery, probe, properties, metrics, clock);
  }
}
