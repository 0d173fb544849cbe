package io.switchboard.placement;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The room-placement service: which KMS node hosts each room. Its /v1 API answers only requests that present
 * {@code switchboard.service-token} (ServiceTokenSecurity).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@org.springframework.context.annotation.Import(io.switchboard.serviceauth.ServiceTokenSecurity.class)
public class PlacementApplication {

  public static void main(String[] args) {
    SpringApplication.run(PlacementApplication.class, args);
  }
}
