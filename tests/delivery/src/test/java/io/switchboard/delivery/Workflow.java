package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** One GitHub Actions workflow file (.github/workflows/*.yml), parsed. */
record Workflow(Path file, JsonNode yaml) {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Every workflow in {@code github} (the repository's .github or a test's copy), by file name. */
  static List<Workflow> readAll(Path github) {
    Path dir = github.resolve("workflows");
    try (Stream<Path> files = Files.list(dir)) {
      List<Workflow> workflows = new ArrayList<>();
      for (Path file : files.filter(Workflow::isWorkflowFile).sorted().toList()) {
        workflows.add(new Workflow(file, YAML.readTree(file.toFile())));
      }
      return workflows;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the workflows in " + dir, e);
    }
  }

  private static boolean isWorkflowFile(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".yml") || name.endsWith(".yaml");
  }

  String fileName() {
    return file.getFileName().toString();
  }

  String name() {
    return yaml.path("name").asText(fileName());
  }

  /** The triggers: {@code on:} as a map of event to its settings. */
  JsonNode on() {
    return yaml.path("on");
  }

  Map<String, JsonNode> jobs() {
    Map<String, JsonNode> jobs = new LinkedHashMap<>();
    yaml.path("jobs").fields().forEachRemaining(job -> jobs.put(job.getKey(), job.getValue()));
    return jobs;
  }

  static List<JsonNode> steps(JsonNode job) {
    List<JsonNode> steps = new ArrayList<>();
    job.path("steps").forEach(steps::add);
    return steps;
  }

  /** Whether one of the job's steps uses this action (owner/name, any version). */
  static boolean usesAction(JsonNode job, String action) {
    return steps(job).stream().anyMatch(step -> step.path("uses").asText().startsWith(action + "@"));
  }

  @Override
  public String toString() {
    return fileName();
  }
}
