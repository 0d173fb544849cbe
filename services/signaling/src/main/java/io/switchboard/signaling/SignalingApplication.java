package io.switchboard.signaling;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** A signaling pod: the group-call protocol at /groupcall. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SignalingApplication {

  public static void main(String[] args) {
    SpringApplication.run(SignalingApplication.class, args);
  }
}
