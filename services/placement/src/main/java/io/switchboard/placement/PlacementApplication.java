package io.switchboard.placement;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The room-placement service: which KMS node hosts each room. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PlacementApplication {

  public static void main(String[] args) {
    SpringApplication.run(PlacementApplication.class, args);
  }
}
