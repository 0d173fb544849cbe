package io.switchboard.gateway.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.gateway.config.GatewayProperties;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ReactorLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The signaling pods' load-balancer context (named by {@code @LoadBalancerClient}; deliberately not
 * a {@code @Configuration}, so component scanning does not make it global). Pods come from
 * discovery (Kubernetes endpoints, or the static simple-discovery list locally) and pass a readiness
 * check every {@code spring.cloud.loadbalancer.health-check.interval}: a pod that turns not-ready
 * gets no new sockets, even before its endpoints are withdrawn.
 */
public class SignalingLoadBalancerConfiguration {

  @Bean
  ServiceInstanceListSupplier signalingInstances(ConfigurableApplicationContext context) {
    return ServiceInstanceListSupplier.builder()
        .withDiscoveryClient()
        .withHealthChecks(WebClient.create())
        .build(context);
  }

  @Bean
  ReactorLoadBalancer<ServiceInstance> roomAffinityLoadBalancer(Environment environment,
      LoadBalancerClientFactory factory, OpenSockets sockets, GatewayProperties properties, MeterRegistry registry) {
    String name = environment.getProperty(LoadBalancerClientFactory.PROPERTY_NAME);
    return new RoomAffinityLoadBalancer(name, factory.getLazyProvider(name, ServiceInstanceListSupplier.class),
        sockets, properties.sticky().cookie(), registry);
  }
}
