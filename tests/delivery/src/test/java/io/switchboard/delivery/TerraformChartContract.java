package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where terraform/ and the Helm chart (deploy/helm/switchboard/values.yaml) must agree:
 * <ul>
 *   <li>the media node group carries the label the chart's kms.nodeSelector selects and the taint
 *       its kms.tolerations tolerate, and sits in public subnets that give nodes public addresses;</li>
 *   <li>the WebRTC port range opened on the media nodes is the chart's kms.minPort..maxPort (in every
 *       module that declares it), and the Kurento port open to the cluster is its kms.port;</li>
 *   <li>every path of helm_values exists in the chart's values, wherever it is made (a local of
 *       that name), and every environment outputs helm_values from the module that makes them.</li>
 * </ul>
 */
final class TerraformChartContract {

  private static final Pattern MODULE_HELM_VALUES = Pattern.compile("\\$\\{module\\.([\\w-]+)\\.helm_values}");

  private static final Map<String, String> KUBERNETES_EFFECTS = Map.of("NO_SCHEDULE", "NoSchedule", "NO_EXECUTE",
      "NoExecute", "PREFER_NO_SCHEDULE", "PreferNoSchedule");

  private TerraformChartContract() {}

  static List<String> mismatches(TerraformTree tree, JsonNode chartValues) {
    List<String> mismatches = new ArrayList<>();
    mediaNodes(tree, chartValues.path("kms"), mismatches);
    ports(tree, chartValues.path("kms"), mismatches);
    helmValues(tree, chartValues, mismatches);
    return mismatches;
  }

  private static void helmValues(TerraformTree tree, JsonNode chartValues, List<String> mismatches) {
    List<TerraformModule> making = tree.modules().stream()
        .filter(module -> module.locals().containsKey("helm_values")).toList();
    if (making.isEmpty()) {
      mismatches.add("no module has a helm_values object in its locals (outputs.tf) for the chart");
    }
    for (TerraformModule module : making) {
      JsonNode helmValues = module.locals().get("helm_values");
      if (!helmValues.isObject()) {
        mismatches.add(module + ": helm_values is not an object: " + helmValues);
        continue;
      }
      valuePaths(module + ": helm_values", helmValues, chartValues, mismatches);
    }
    for (TerraformModule environment : tree.environments()) {
      if (!outputsHelmValues(tree, environment)) {
        mismatches.add(environment + ": no helm_values output carrying the chart's values from the module that makes "
            + "them (terraform/README.md: helm ... -f <(terraform output -raw helm_values))");
      }
    }
  }

  /** Whether a module outputs helm_values: its own local, or a local module's helm_values output. */
  private static boolean outputsHelmValues(TerraformTree tree, TerraformModule module) {
    JsonNode output = module.outputs().get("helm_values");
    if (output == null) {
      return false;
    }
    String value = output.path("value").asText();
    if (module.locals().containsKey("helm_values")) {
      return value.contains("local.helm_values");
    }
    Matcher call = MODULE_HELM_VALUES.matcher(value);
    if (!call.matches() || !module.moduleCalls().containsKey(call.group(1))) {
      return false;
    }
    return tree.localSource(module, module.moduleCalls().get(call.group(1)))
        .map(target -> outputsHelmValues(tree, target)).orElse(false);
  }

  private static void mediaNodes(TerraformTree tree, JsonNode kms, List<String> mismatches) {
    TerraformModule cluster = tree.module("modules/cluster");
    Map<String, JsonNode> locals = cluster.locals();
    JsonNode labels = locals.get("media_node_labels");
    JsonNode taint = locals.get("media_node_taint");
    if (labels == null || taint == null) {
      mismatches.add("modules/cluster: locals media_node_labels and media_node_taint are missing");
      return;
    }
    if (!labels.equals(kms.path("nodeSelector"))) {
      mismatches.add("modules/cluster: the media nodes are labelled %s, the chart's kms.nodeSelector selects %s"
          .formatted(labels, kms.path("nodeSelector")));
    }
    String effect = KUBERNETES_EFFECTS.getOrDefault(taint.path("effect").asText(), taint.path("effect").asText());
    boolean tolerated = false;
    for (JsonNode toleration : kms.path("tolerations")) {
      tolerated |= toleration.path("key").asText().equals(taint.path("key").asText())
          && toleration.path("operator").asText("Equal").equals("Equal")
          && toleration.path("value").asText().equals(taint.path("value").asText())
          && toleration.path("effect").asText().equals(effect);
    }
    if (!tolerated) {
      mismatches.add("modules/cluster: the media nodes are tainted %s=%s:%s, which the chart's kms.tolerations %s do "
          .formatted(taint.path("key").asText(), taint.path("value").asText(), effect, kms.path("tolerations"))
          + "not tolerate");
    }
    JsonNode media = cluster.moduleCalls().get("eks").path("eks_managed_node_groups").path("media");
    expect(media.path("labels"), "${local.media_node_labels}", "modules/cluster: the media node group's labels",
        mismatches);
    if (!media.path("taints").toString().contains("${local.media_node_taint}")) {
      mismatches.add("modules/cluster: the media node group's taints are not local.media_node_taint: "
          + media.path("taints"));
    }
    expect(media.path("subnet_ids"), "${var.public_subnet_ids}", "modules/cluster: the media node group's subnets",
        mismatches);
    JsonNode vpc = tree.module("modules/network").moduleCalls().get("vpc");
    if (vpc == null || !vpc.path("map_public_ip_on_launch").asBoolean(false)) {
      mismatches.add("modules/network: public subnets must give media nodes public addresses "
          + "(map_public_ip_on_launch = true)");
    }
  }

  private static void ports(TerraformTree tree, JsonNode kms, List<String> mismatches) {
    TerraformModule cluster = tree.module("modules/cluster");
    for (TerraformModule module : tree.modules()) {
      if (module == cluster || module.variables().containsKey("media_udp_port_min")
          || module.variables().containsKey("media_udp_port_max")) {
        defaultEquals(module, "media_udp_port_min", kms.path("minPort"), "kms.minPort", mismatches);
        defaultEquals(module, "media_udp_port_max", kms.path("maxPort"), "kms.maxPort", mismatches);
      }
    }
    defaultEquals(cluster, "kms_port", kms.path("port"), "kms.port", mismatches);
  }

  private static void defaultEquals(TerraformModule module, String variable, JsonNode chart, String chartPath,
      List<String> mismatches) {
    JsonNode declared = module.variables().get(variable);
    if (declared == null) {
      mismatches.add("%s: variable %s is missing".formatted(module, variable));
    } else if (!declared.path("default").asText().equals(chart.asText())) {
      mismatches.add("%s: %s defaults to %s, the chart's %s to %s".formatted(module, variable,
          declared.path("default"), chartPath, chart));
    }
  }

  /**
   * Every key path of values (an HCL object) exists in the chart's values, objects where the chart
   * has objects and literals of the chart's types; the chart's empty maps (annotations,
   * nodeSelector) are free-form and end the walk.
   */
  private static void valuePaths(String path, JsonNode values, JsonNode chart, List<String> mismatches) {
    for (Iterator<Map.Entry<String, JsonNode>> fields = values.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String here = path + "." + field.getKey();
      JsonNode chartValue = chart.path(field.getKey());
      if (chartValue.isMissingNode()) {
        mismatches.add(here + " is not a value of the chart (deploy/helm/switchboard/values.yaml)");
      } else if (field.getValue().isObject() && chartValue.isObject()) {
        if (!chartValue.isEmpty()) {
          valuePaths(here, field.getValue(), chartValue, mismatches);
        }
      } else if (field.getValue().isObject() && !chartValue.isNull()) {
        mismatches.add("%s is an object, the chart's value is %s".formatted(here, chartValue));
      } else if (isLiteral(field.getValue()) && !chartValue.isNull()
          && field.getValue().getNodeType() != chartValue.getNodeType()) {
        mismatches.add("%s is %s, the chart's default is %s".formatted(here, field.getValue(), chartValue));
      }
    }
  }

  private static boolean isLiteral(JsonNode value) {
    return value.isBoolean() || value.isNumber() || (value.isTextual() && !value.asText().contains("${"));
  }

  private static void expect(JsonNode actual, String expected, String what, List<String> mismatches) {
    if (!actual.asText().equals(expected)) {
      mismatches.add("%s are %s, not %s".formatted(what, actual, expected));
    }
  }
}
