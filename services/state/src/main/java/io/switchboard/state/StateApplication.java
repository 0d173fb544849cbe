package io.switchboard.state;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The state service: a queryable view of who is in which call, built from the presence topic.
 * Its /v1 API answers only requests that present {@code switchboard.service-token}
 * (ServiceTokenSecurity).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@org.springframework.context.annotation.Import(io.switchboard.serviceauth.ServiceTokenSecurity.class)
@org.springframework.scheduling.annotation.EnableScheduling
public class StateApplication {

  public static void main(String[] args) {
    SpringApplication.run(StateApplication.class, args);
  }
}
