package io.switchboard.state;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The state service: a queryable view of who is in which call, built from the presence topic. */
@SpringBootApplication
@ConfigurationPropertiesScan
@org.springframework.scheduling.annotation.EnableScheduling
public class StateApplication {

  public static void main(String[] args) {
    SpringApplication.run(StateApplication.class, args);
  }
}
