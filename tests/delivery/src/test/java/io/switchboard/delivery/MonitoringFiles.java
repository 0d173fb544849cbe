package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What Switchboard ships for Prometheus and Grafana, read as their tools read it: the rule file
 * (recording rules and alerts), its promtool unit tests, and the dashboards' panel expressions.
 */
final class MonitoringFiles {

  static final Path RULES = Repository.path("deploy/helm/switchboard/files/prometheus/switchboard.rules.yaml");
  static final Path RULE_TESTS = Repository.path("deploy/monitoring/tests");
  static final Path DASHBOARDS = Repository.path("deploy/helm/switchboard/files/dashboards");
  static final Path OPERATIONS = Repository.path("docs/operations.md");
  /** Every runbook_url is this plus a section anchor of docs/operations.md. */
  static final String RUNBOOK_BASE = "https://github.com/switchboard-io/switchboard/blob/main/docs/operations.md#";

  /** The namespace label the live test's scrape targets carry, as the Operator's and compose's do. */
  static final String LIVE_NAMESPACE = "switchboard-live";

  static final ObjectMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The only Grafana variables panel expressions may use, and what the tests put in their place:
   * a rate window long enough to span a whole test run, and the namespace the live test's targets
   * carry (Grafana's "All" would give {@code .*}, which matches it too).
   */
  static final Map<String, String> VARIABLES = Map.of(
      "$__rate_interval", "5m",
      "$namespace", LIVE_NAMESPACE);
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?[A-Za-z_][A-Za-z0-9_]*}?");
  private static final Pattern SELECTED_METRIC = Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)\\{");

  private MonitoringFiles() {}

  /** A recording rule ({@code record}) or an alert ({@code alert}) of the rule file. */
  record Rule(String group, String name, boolean alert, String expr, JsonNode labels, JsonNode annotations) {}

  /** One query of one dashboard panel. */
  record Target(String dashboard, int panelId, String panel, String refId, String expr) {
    /** How the tests name it: {@code <dashboard uid> / <panel title>}. */
    String panelKey() {
      return dashboard + " / " + panel;
    }
  }

  static List<Rule> rules() {
    JsonNode file = read(YAML, RULES);
    List<Rule> rules = new ArrayList<>();
    for (JsonNode group : file.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        boolean alert = rule.has("alert");
        rules.add(new Rule(group.path("name").asText(), rule.path(alert ? "alert" : "record").asText(), alert,
            rule.path("expr").asText(), rule.path("labels"), rule.path("annotations")));
      }
    }
    return rules;
  }

  static List<Path> ruleTests() {
    try (Stream<Path> files = Files.list(RULE_TESTS)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".test.yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every dashboard file, by name. */
  static Map<String, JsonNode> dashboards() {
    Map<String, JsonNode> dashboards = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
        dashboards.put(f.getFileName().toString(), read(JSON, f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dashboards;
  }

  /** Every panel, rows' nested panels included, of a dashboard. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      all.add(panel);
      panel.path("panels").forEach(all::add);
    }
    return all;
  }

  /** Every query of every panel of every dashboard. */
  static List<Target> targets() {
    List<Target> targets = new ArrayList<>();
    for (JsonNode dashboard : dashboards().values()) {
      for (JsonNode panel : panels(dashboard)) {
        for (JsonNode target : panel.path("targets")) {
          targets.add(new Target(dashboard.path("uid").asText(), panel.path("id").asInt(), panel.path("title").asText(),
              target.path("refId").asText(), target.path("expr").asText()));
        }
      }
    }
    return targets;
  }

  /** The Grafana variables an expression uses. */
  static List<String> variables(String expr) {
    List<String> found = new ArrayList<>();
    Matcher m = VARIABLE.matcher(expr);
    while (m.find()) {
      found.add(m.group());
    }
    return found;
  }

  /** A panel expression as Prometheus gets it once Grafana has put in its variables. */
  static String substitute(String expr) {
    String result = expr;
    for (Map.Entry<String, String> v : VARIABLES.entrySet()) {
      result = result.replace(v.getKey(), v.getValue());
    }
    return result;
  }

  /** The metric names an expression selects with a label matcher ({@code name{...}}). */
  static List<String> selectedMetrics(String expr) {
    List<String> names = new ArrayList<>();
    Matcher m = SELECTED_METRIC.matcher(expr);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file, e);
    }
  }
}
