package io.switchboard.gateway;

import io.switchboard.gateway.config.GatewayProperties;
import io.switchboard.gateway.routing.SignalingLoadBalancerConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClient;

/**
 * The only public door: the browser protocol at {@code /groupcall} proxied to a signaling pod of
 * the gateway's choosing, the placement and state APIs under {@code /api}, join tokens, the
 * browser client at {@code /}.
 */
@SpringBootApplication
@EnableConfigurationProperties(GatewayProperties.class)
@LoadBalancerClient(name = GatewayProperties.SIGNALING, configuration = SignalingLoadBalancerConfiguration.class)
public class GatewayApplication {

  public static void main(String[] args) {
    SpringApplication.run(GatewayApplication.class, args);
  }
}
