package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.delivery.MonitoringFiles.Rule;
import io.switchboard.delivery.MonitoringFiles.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The shipped rule file and dashboards, checked offline with the real promtool: the rules load,
 * every alert fires on a failing series and stays quiet on a healthy one (promtool's unit tests in
 * deploy/monitoring/tests), every alert can be acted on (severity, summary, a runbook section that
 * exists), and every dashboard is well formed and queries valid PromQL through its datasource
 * variable. What the expressions find on real services is MonitoringLiveIT's part.
 */
class PrometheusRulesIT {

  private static final Duration PROMTOOL_TIMEOUT = Duration.ofMinutes(2);
  private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
  private static final Set<String> BUILT_IN_DATASOURCES = Set.of("${datasource}", "-- Grafana --");

  @Test
  void promtoolAcceptsTheRuleFile() {
    PrometheusTools.Result check = promtool("check", "rules", MonitoringFiles.RULES.toString());

    assertThat(check.exitCode()).as("promtool check rules:\n" + check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: " + MonitoringFiles.rules().size() + " rules found");
  }

  @Test
  void theAlertsAndRecordingRulesPassTheirPromtoolUnitTests() {
    List<String> command = new ArrayList<>(List.of("test", "rules"));
    MonitoringFiles.ruleTests().forEach(t -> command.add(t.getFileName().toString()));
    assertThat(command).as("unit tests in " + MonitoringFiles.RULE_TESTS).hasSizeGreaterThan(2);

    PrometheusTools.Result test = PrometheusTools.run(PROMTOOL_TIMEOUT, MonitoringFiles.RULE_TESTS,
        prepend(PrometheusTools.promtool().toString(), command));

    assertThat(test.exitCode()).as("promtool test rules:\n" + test.output()).isZero();
  }

  @Test
  void everyAlertHasAUnitTestWhereItFiresAndOneWhereItStaysQuiet() {
    Set<String> fires = new HashSet<>();
    Set<String> staysQuiet = new HashSet<>();
    for (Path file : MonitoringFiles.ruleTests()) {
      for (JsonNode group : read(file).path("tests")) {
        Map<String, Boolean> firesInGroup = new HashMap<>();
        for (JsonNode test : group.path("alert_rule_test")) {
          boolean expected = !test.path("exp_alerts").isEmpty();
          firesInGroup.merge(test.path("alertname").asText(), expected, Boolean::logicalOr);
        }
        firesInGroup.forEach((alert, fired) -> (fired ? fires : staysQuiet).add(alert));
      }
    }

    List<String> alerts = MonitoringFiles.rules().stream().filter(Rule::alert).map(Rule::name).toList();
    assertThat(alerts).as("alerts without a promtool test where they fire").allMatch(fires::contains);
    assertThat(alerts).as("alerts without a promtool test group where they stay quiet (a healthy system)")
        .allMatch(staysQuiet::contains);
    assertThat(fires).as("tests of alerts that do not exist").isSubsetOf(alerts);
  }

  @Test
  void everyRecordingRuleHasAnExpressionTest() {
    Set<String> tested = new HashSet<>();
    for (Path file : MonitoringFiles.ruleTests()) {
      for (JsonNode group : read(file).path("tests")) {
        group.path("promql_expr_test").forEach(t -> tested.add(t.path("expr").asText().trim()));
      }
    }

    assertThat(MonitoringFiles.rules().stream().filter(r -> !r.alert()).map(Rule::name))
        .as("recording rules without a promql_expr_test").allMatch(tested::contains);
  }

  @Test
  void everyAlertHasASeveritySummaryDescriptionAndARunbookSectionInOperationsMd() {
    Set<String> anchors = MarkdownAnchors.of(MonitoringFiles.OPERATIONS);
    List<Rule> alerts = MonitoringFiles.rules().stream().filter(Rule::alert).toList();
    assertThat(alerts).hasSizeGreaterThan(10);

    for (Rule alert : alerts) {
      String name = alert.name();
      assertThat(name).as("alert names").matches("Switchboard[A-Z][A-Za-z]+");
      assertThat(alert.labels().path("severity").asText()).as(name + " severity").isIn(SEVERITIES);
      assertThat(alert.annotations().path("summary").asText()).as(name + " summary").isNotBlank();
      assertThat(alert.annotations().path("description").asText()).as(name + " description").isNotBlank();
      String runbook = alert.annotations().path("runbook_url").asText();
      assertThat(runbook).as(name + " runbook_url").startsWith(MonitoringFiles.RUNBOOK_BASE);
      String anchor = runbook.substring(MonitoringFiles.RUNBOOK_BASE.length());
      assertThat(anchor).as(name + " runbook anchor: a section of its own, '### Alert: " + name + "'")
          .isEqualTo(MarkdownAnchors.slug("Alert: " + name));
      assertThat(anchors).as("headings of docs/operations.md (" + name + "'s runbook)").contains(anchor);
    }
  }

  @Test
  void ruleNamesAreUniqueAndNoMeterEndsInCreated() {
    List<String> names = MonitoringFiles.rules().stream().map(Rule::name).toList();
    assertThat(names).as("rule names").doesNotHaveDuplicates();
    // Prometheus reserves _created for counters' creation time.
    List<String> metrics = new ArrayList<>();
    MonitoringFiles.rules().forEach(r -> metrics.addAll(MonitoringFiles.selectedMetrics(r.expr())));
    MonitoringFiles.targets().forEach(t -> metrics.addAll(MonitoringFiles.selectedMetrics(t.expr())));
    assertThat(metrics).as("metrics the rules and dashboards use").noneMatch(m -> m.endsWith("_created"));
  }

  @Test
  void everyDashboardHasAStableUidUniquePanelIdsAndTheDatasourceVariable() {
    Map<String, JsonNode> dashboards = MonitoringFiles.dashboards();
    assertThat(dashboards.keySet()).as("dashboards").contains("switchboard-overview.json",
        "switchboard-gateway.json", "switchboard-signaling.json", "switchboard-placement.json",
        "switchboard-state.json");

    Set<String> uids = new HashSet<>();
    dashboards.forEach((file, dashboard) -> {
      String uid = dashboard.path("uid").asText();
      assertThat(uid).as(file + " uid (stable: the file's name)").isEqualTo(file.replace(".json", ""));
      assertThat(uids.add(uid)).as("uid " + uid + " used once").isTrue();
      assertThat(dashboard.path("title").asText()).as(file + " title").isNotBlank();
      assertThat(dashboard.path("schemaVersion").asInt()).as(file + " schemaVersion").isEqualTo(39);

      JsonNode datasource = variable(dashboard, "datasource");
      assertThat(datasource).as(file + ": a variable named datasource").isNotNull();
      assertThat(datasource.path("type").asText()).as(file + " datasource variable type").isEqualTo("datasource");
      assertThat(datasource.path("query").asText()).as(file + " datasource variable query").isEqualTo("prometheus");

      List<JsonNode> panels = MonitoringFiles.panels(dashboard);
      List<Integer> ids = panels.stream().map(p -> p.path("id").asInt(-1)).toList();
      assertThat(ids).as(file + " panel ids").doesNotHaveDuplicates().doesNotContain(-1);
      for (JsonNode panel : panels) {
        if (panel.path("type").asText().equals("row")) {
          continue;
        }
        String what = file + " / " + panel.path("title").asText();
        assertThat(panel.path("title").asText()).as(file + " panel " + panel.path("id") + " title").isNotBlank();
        assertThat(panel.path("datasource").path("uid").asText()).as(what + " datasource").isEqualTo("${datasource}");
        assertThat(panel.path("targets")).as(what + " queries").isNotEmpty();
        for (JsonNode target : panel.path("targets")) {
          assertThat(target.path("expr").asText()).as(what + " expression").isNotBlank();
          assertThat(target.path("datasource").path("uid").asText("${datasource}"))
              .as(what + " query datasource").isEqualTo("${datasource}");
        }
      }
    });
  }

  @Test
  void noDashboardNamesADatasourceOtherThanItsVariable() {
    MonitoringFiles.dashboards().forEach((file, dashboard) -> {
      List<String> datasources = new ArrayList<>();
      collectDatasources(dashboard, datasources);
      assertThat(datasources).as(file + ": every datasource reference (no hard-coded uid)")
          .isNotEmpty().isSubsetOf(BUILT_IN_DATASOURCES);
    });
  }

  @Test
  void everyPanelExpressionIsValidPromqlUsingOnlyTheKnownVariables() throws IOException {
    List<Target> targets = MonitoringFiles.targets();
    for (Target t : targets) {
      assertThat(MonitoringFiles.variables(t.expr())).as(t.panelKey() + " " + t.refId() + " variables")
          .isSubsetOf(MonitoringFiles.VARIABLES.keySet());
    }

    // promtool parses PromQL offline when it is a rule's expression: one recording rule per query.
    StringBuilder file = new StringBuilder("groups:\n  - name: dashboard-expressions\n    rules:\n");
    for (int i = 0; i < targets.size(); i++) {
      file.append("      - record: dashboard_query_").append(i).append('\n')
          .append("        expr: ").append(MonitoringFiles.JSON.writeValueAsString(
              MonitoringFiles.substitute(targets.get(i).expr()))).append('\n');
    }
    Path rules = Files.createTempFile(Repository.path("tests/delivery/target"), "dashboard-queries-", ".rules.yaml");
    try {
      Files.writeString(rules, file);
      PrometheusTools.Result check = promtool("check", "rules", rules.toString());
      String index = targets.stream().map(t -> "dashboard_query_" + targets.indexOf(t) + ": " + t.panelKey()
          + " " + t.refId()).collect(Collectors.joining("\n"));
      assertThat(check.exitCode()).as("promtool on the dashboards' queries:\n" + check.output() + "\n" + index)
          .isZero();
    } finally {
      Files.deleteIfExists(rules);
    }
  }

  private static void collectDatasources(JsonNode node, List<String> found) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getKey().equals("datasource")) {
          JsonNode ds = field.getValue();
          found.add(ds.isTextual() ? ds.asText() : ds.path("uid").asText("(no uid)"));
        } else {
          collectDatasources(field.getValue(), found);
        }
      }
    } else if (node.isArray()) {
      node.forEach(n -> collectDatasources(n, found));
    }
  }

  private static JsonNode variable(JsonNode dashboard, String name) {
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    return null;
  }

  private static PrometheusTools.Result promtool(String... args) {
    return PrometheusTools.run(PROMTOOL_TIMEOUT, Repository.root(),
        prepend(PrometheusTools.promtool().toString(), List.of(args)));
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all;
  }

  private static JsonNode read(Path file) {
    try {
      return MonitoringFiles.YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new AssertionError("cannot parse " + file, e);
    }
  }
}
