package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configuration keys a service really has: the {@code spring-configuration-metadata.json}
 * that spring-boot-configuration-processor writes from its {@code @ConfigurationProperties}
 * records (plus its additional metadata), the defaults it declares (those that are one value),
 * and how an environment variable binds to them.
 */
record SpringConfigurationKeys(String service, Set<String> keys, Map<String, String> defaults) {

  static SpringConfigurationKeys of(Path repository, String service) {
    Path metadata = repository.resolve("services").resolve(service)
        .resolve("target/classes/META-INF/spring-configuration-metadata.json");
    if (!Files.isRegularFile(metadata)) {
      throw new IllegalStateException("no " + metadata + ": build the services first ("
          + "./mvnw -B -pl services/" + service + " -am install -DskipTests), so that the chart's settings can be "
          + "checked against the keys the service really has");
    }
    try {
      JsonNode properties = JsonMapper.builder().build().readTree(metadata.toFile()).path("properties");
      Set<String> keys = new TreeSet<>();
      Map<String, String> defaults = new TreeMap<>();
      properties.forEach(p -> {
        keys.add(p.path("name").asText());
        if (p.hasNonNull("defaultValue") && p.path("defaultValue").isValueNode()) {
          defaults.put(p.path("name").asText(), p.path("defaultValue").asText());
        }
      });
      return new SpringConfigurationKeys(service, keys, defaults);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + metadata, e);
    }
  }

  /**
   * Whether an environment variable binds to one of the keys, by Spring's relaxed rules for the
   * system environment: lower-cased, {@code _} as {@code .}, a numeric element as a list index, and
   * a key's dashes either dropped (the canonical form, SWITCHBOARD_GATEWAY_KEEPALIVE_PINGINTERVAL)
   * or written as {@code _} (the legacy form Spring still binds, SWITCHBOARD_SIGNALING_POD_ID).
   */
  boolean binds(String environmentVariable) {
    String property = propertyOf(environmentVariable);
    return keys.stream().anyMatch(key -> property.equals(key.replace('-', '.')) || property.equals(key.replace("-", "")));
  }

  static String propertyOf(String environmentVariable) {
    StringBuilder property = new StringBuilder();
    for (String element : environmentVariable.toLowerCase(Locale.ROOT).split("_")) {
      if (element.isEmpty() || element.chars().allMatch(Character::isDigit)) {
        continue;
      }
      property.append(property.isEmpty() ? "" : ".").append(element);
    }
    return property.toString();
  }
}
