package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker/compose.yaml as Compose itself reads it (Debian's docker-compose, {@code config}), and the
 * Prometheus configuration it mounts as promtool reads it. Images cannot be pulled here, so the
 * file is validated, not started; ImagesIT runs the images it builds.
 */
class ComposeFileIT {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static JsonNode compose;

  @BeforeAll
  static void resolveTheFileAsComposeDoes() throws IOException {
    Docker.Result config = tool("docker-compose", "apt-get install docker-compose",
        "docker-compose", "-f", Repository.path("docker/compose.yaml").toString(), "config");
    assertThat(config.exitCode()).as("docker-compose config:\n" + config.output()).isZero();
    compose = YAML.readTree(config.output().substring(config.output().indexOf("services:")));
  }

  @Test
  void theWholeSystemIsThere() {
    List<String> names = new ArrayList<>();
    compose.path("services").fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactlyInAnyOrder("kms", "redis", "kafka", "placement", "state", "signaling", "gateway",
        "prometheus", "grafana");
    assertThat(compose.path("services").path("kms").path("image").asText()).startsWith("kurento/kurento-media-server:");
  }

  @Test
  void everyContainerIsOnTheHostsNetworkWithAPinnedImage() {
    compose.path("services").fields().forEachRemaining(entry -> {
      JsonNode service = entry.getValue();
      assertThat(service.path("network_mode").asText()).as(entry.getKey()).isEqualTo("host");
      String image = service.path("image").asText();
      assertThat(image).as(entry.getKey() + " image").matches("[^:]+:[^:]+").doesNotEndWith(":latest");
    });
  }

  @Test
  void theServicesAreBuiltFromTheRepositorysDockerfileAndRunReadOnly() {
    for (String name : ImagesIT.SERVICES.keySet()) {
      JsonNode service = compose.path("services").path(name);
      assertThat(service.path("build").path("dockerfile").asText()).as(name).isEqualTo("docker/service.Dockerfile");
      assertThat(service.path("build").path("args").path("SERVICE").asText()).isEqualTo(name);
      assertThat(service.path("build").path("args").path("PORT").asText())
          .isEqualTo(String.valueOf(ImagesIT.SERVICES.get(name)));
      assertThat(service.path("read_only").asBoolean()).as(name + " read_only").isTrue();
      // Actuator apart from the public port, as in the chart.
      assertThat(service.path("environment").path("MANAGEMENT_SERVER_PORT").asText()).as(name).isNotBlank()
          .isNotEqualTo(service.path("environment").path("SERVER_PORT").asText());
    }
  }

  @Test
  void theFourServicesShareOneServiceTokenLongEnoughForThem() {
    List<String> tokens = new ArrayList<>();
    for (String name : ImagesIT.SERVICES.keySet()) {
      String token = compose.path("services").path(name).path("environment").path("SWITCHBOARD_SERVICE_TOKEN").asText();
      assertThat(token).as("%s's SWITCHBOARD_SERVICE_TOKEN (placement and state refuse /v1 without it)", name)
          .matches("[!-~]{32,}");
      tokens.add(token);
    }
    assertThat(tokens).as("one value for all four services").containsOnly(tokens.get(0));
  }

  @Test
  void everyFileItMountsExists() {
    compose.path("services").fields().forEachRemaining(entry -> entry.getValue().path("volumes").forEach(volume -> {
      String source = volume.isTextual() ? volume.asText().split(":")[0] : volume.path("source").asText();
      if (source.startsWith("/")) {
        assertThat(Path.of(source)).as(entry.getKey() + " mounts " + source).exists();
      }
    }));
  }

  @Test
  void prometheusScrapesEveryServicesManagementPortWithTheShippedRules() throws IOException {
    Path config = Repository.path("docker/prometheus/prometheus.yml");
    JsonNode prometheus = YAML.readTree(config.toFile());
    List<String> targets = new ArrayList<>();
    prometheus.path("scrape_configs").forEach(job -> job.path("static_configs")
        .forEach(c -> c.path("targets").forEach(t -> targets.add(t.asText()))));
    List<String> managementPorts = new ArrayList<>();
    for (String name : ImagesIT.SERVICES.keySet()) {
      managementPorts.add("127.0.0.1:" + compose.path("services").path(name).path("environment")
          .path("MANAGEMENT_SERVER_PORT").asText());
    }
    assertThat(targets).containsExactlyInAnyOrderElementsOf(managementPorts);

    // promtool reads the file with the rules where compose mounts them from.
    Path copy = Files.createTempDirectory(Path.of("target"), "compose-prometheus").resolve("prometheus.yml");
    Files.writeString(copy, Files.readString(config).replace("/etc/prometheus/rules/",
        Repository.path("deploy/helm/switchboard/files/prometheus").toString() + "/"));
    Docker.Result check = tool("promtool", "apt-get install prometheus", "promtool", "check", "config", copy.toString());
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS").containsPattern("SUCCESS: [1-9][0-9]* rules found");
  }

  @Test
  void grafanaIsProvisionedWithTheChartsDashboards() throws IOException {
    JsonNode providers = YAML.readTree(Repository.path("docker/grafana/provisioning/dashboards/switchboard.yaml").toFile());
    String path = providers.path("providers").path(0).path("options").path("path").asText();
    boolean mounted = false;
    for (JsonNode volume : compose.path("services").path("grafana").path("volumes")) {
      String spec = volume.isTextual() ? volume.asText() : volume.path("source").asText() + ":" + volume.path("target").asText();
      if (spec.contains(":" + path)) {
        assertThat(spec).contains("deploy/helm/switchboard/files/dashboards");
        mounted = true;
      }
    }
    assertThat(mounted).as("the provider's folder " + path + " is mounted from the chart's dashboards").isTrue();
    try (var dashboards = Files.list(Repository.path("deploy/helm/switchboard/files/dashboards"))) {
      assertThat(dashboards.filter(p -> p.toString().endsWith(".json"))).isNotEmpty();
    }
  }

  /** Runs a tool that must be installed; a missing one fails the test with how to install it. */
  static Docker.Result tool(String name, String install, String... command) {
    try {
      return Docker.exec(Duration.ofMinutes(1), command);
    } catch (IllegalStateException missing) {
      throw new AssertionError(name + " is missing: " + install + " (.ci/run installs it)", missing);
    }
  }
}
