package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The security policy of terraform/, read from the configuration itself:
 * <ul>
 *   <li>ElastiCache encrypts in transit and at rest (with a KMS key) and requires an AUTH token;</li>
 *   <li>MSK encrypts client and broker traffic with TLS and data at rest with a KMS key, and
 *       authenticates every client (SASL/IAM on, unauthenticated access off);</li>
 *   <li>nothing is open to the internet (0.0.0.0/0, ::/0) on ingress except, on the media nodes,
 *       Kurento's WebRTC port range and TURN over TLS on 443.</li>
 * </ul>
 * Each setting must be a literal in the code, not a variable someone could turn off.
 */
final class TerraformSecurityPolicy {

  private static final Set<String> OPEN = Set.of("0.0.0.0/0", "::/0");
  private static final Set<String> CIDR_ATTRIBUTES = Set.of("cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4",
      "cidr_ipv6");

  /**
   * Ingress allowed from anywhere, on the media nodes' security group only: browsers' WebRTC media
   * to Kurento over exactly the configured port range, and TURN over TLS on 443.
   */
  private static final String MEDIA_SECURITY_GROUP = "${aws_security_group.media.id}";
  private static final String MEDIA_PORT_MIN = "${var.media_udp_port_min}";
  private static final String MEDIA_PORT_MAX = "${var.media_udp_port_max}";
  private static final String TURN_TLS_PORT = "443";

  private TerraformSecurityPolicy() {}

  static List<String> violations(TerraformTree tree) {
    List<String> violations = new ArrayList<>();
    int replicationGroups = 0;
    int kafkaClusters = 0;
    for (TerraformModule module : tree.modules()) {
      for (Map.Entry<String, JsonNode> group : module.resources("aws_elasticache_replication_group").entrySet()) {
        replicationGroups++;
        elastiCache(module + ": aws_elasticache_replication_group." + group.getKey(), group.getValue(), violations);
      }
      for (Map.Entry<String, JsonNode> cluster : module.resources("aws_msk_cluster").entrySet()) {
        kafkaClusters++;
        msk(module + ": aws_msk_cluster." + cluster.getKey(), cluster.getValue(), violations);
      }
      ingress(module, violations);
    }
    if (replicationGroups == 0) {
      violations.add("no aws_elasticache_replication_group found: the Redis policy checked nothing");
    }
    if (kafkaClusters == 0) {
      violations.add("no aws_msk_cluster found: the Kafka policy checked nothing");
    }
    return violations;
  }

  private static void elastiCache(String where, JsonNode group, List<String> violations) {
    requireTrue(where, group, "transit_encryption_enabled", violations);
    requireTrue(where, group, "at_rest_encryption_enabled", violations);
    requirePresent(where, group, "kms_key_id", violations);
    requirePresent(where, group, "auth_token", violations);
    if (group.has("transit_encryption_mode") && !group.path("transit_encryption_mode").asText().equals("required")) {
      violations.add(where + ": transit_encryption_mode must be \"required\" (\"preferred\" still accepts plain text)");
    }
  }

  private static void msk(String where, JsonNode cluster, List<String> violations) {
    JsonNode encryption = TerraformModule.body(cluster.path("encryption_info"));
    requirePresent(where + ".encryption_info", encryption, "encryption_at_rest_kms_key_arn", violations);
    JsonNode inTransit = TerraformModule.body(encryption.path("encryption_in_transit"));
    if (!inTransit.path("client_broker").asText().equals("TLS")) {
      violations.add(where + ": encryption_in_transit.client_broker must be \"TLS\", is "
          + inTransit.path("client_broker"));
    }
    if (inTransit.has("in_cluster") && !isTrue(inTransit.path("in_cluster"))) {
      violations.add(where + ": encryption_in_transit.in_cluster must be true, is " + inTransit.path("in_cluster"));
    }
    JsonNode authentication = TerraformModule.body(cluster.path("client_authentication"));
    if (!authentication.path("unauthenticated").isMissingNode() && !isFalse(authentication.path("unauthenticated"))) {
      violations.add(where + ": client_authentication.unauthenticated must be false, is "
          + authentication.path("unauthenticated"));
    }
    requireTrue(where + ".client_authentication.sasl", TerraformModule.body(authentication.path("sasl")), "iam",
        violations);
  }

  private static void ingress(TerraformModule module, List<String> violations) {
    module.resources("aws_security_group").forEach((name, group) -> group.path("ingress").forEach(rule -> {
      if (opens(rule, module)) {
        violations.add("%s: aws_security_group.%s has an ingress block open to the internet: %s".formatted(module,
            name, rule));
      }
    }));
    module.resources("aws_security_group_rule").forEach((name, rule) -> {
      if (rule.path("type").asText().equals("ingress") && opens(rule, module)) {
        violations.add("%s: aws_security_group_rule.%s opens ingress to the internet".formatted(module, name));
      }
    });
    module.resources("aws_vpc_security_group_ingress_rule").forEach((name, rule) -> {
      if (opens(rule, module) && !isMediaIngress(rule)) {
        violations.add("%s: aws_vpc_security_group_ingress_rule.%s opens %s %s-%s to the internet; only the media "
            .formatted(module, name, rule.path("ip_protocol").asText(), rule.path("from_port").asText(),
                rule.path("to_port").asText())
            + "nodes' WebRTC port range and TURN/TLS on 443 may be");
      }
    });
    // Rules handed to modules (e.g. terraform-aws-modules/eks's node_security_group_additional_rules).
    module.moduleCalls().forEach((name, call) -> moduleIngress(module, "module." + name, call, false, violations));
  }

  private static void moduleIngress(TerraformModule module, String where, JsonNode node, boolean ingress,
      List<String> violations) {
    if (node.isArray()) {
      node.forEach(element -> moduleIngress(module, where, element, ingress, violations));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    boolean isIngress = ingress || node.path("type").asText().equals("ingress");
    if (isIngress && opens(node, module)) {
      violations.add("%s: %s opens ingress to the internet".formatted(module, where));
    }
    for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      moduleIngress(module, where + "." + field.getKey(), field.getValue(),
          isIngress || field.getKey().toLowerCase().contains("ingress"), violations);
    }
  }

  private static boolean isMediaIngress(JsonNode rule) {
    String from = rule.path("from_port").asText();
    String to = rule.path("to_port").asText();
    boolean mediaRange = from.equals(MEDIA_PORT_MIN) && to.equals(MEDIA_PORT_MAX);
    boolean turnTls = rule.path("ip_protocol").asText().equals("tcp") && from.equals(TURN_TLS_PORT)
        && to.equals(TURN_TLS_PORT);
    return rule.path("security_group_id").asText().equals(MEDIA_SECURITY_GROUP) && (mediaRange || turnTls);
  }

  /** Whether a rule's CIDR attributes name the whole internet, literally or through a variable's default. */
  private static boolean opens(JsonNode rule, TerraformModule module) {
    for (String attribute : CIDR_ATTRIBUTES) {
      if (isOpen(rule.path(attribute), module)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isOpen(JsonNode value, TerraformModule module) {
    if (value.isArray()) {
      for (JsonNode element : value) {
        if (isOpen(element, module)) {
          return true;
        }
      }
      return false;
    }
    String text = value.asText("");
    if (OPEN.contains(text)) {
      return true;
    }
    if (text.matches("\\$\\{var\\.[A-Za-z_][\\w-]*}")) {
      JsonNode variable = module.variables().get(text.substring(6, text.length() - 1));
      return variable != null && isOpen(variable.path("default"), module);
    }
    return false;
  }

  private static void requireTrue(String where, JsonNode node, String attribute, List<String> violations) {
    if (!isTrue(node.path(attribute))) {
      violations.add("%s: %s must be true, is %s".formatted(where, attribute,
          node.path(attribute).isMissingNode() ? "unset" : node.path(attribute)));
    }
  }

  private static void requirePresent(String where, JsonNode node, String attribute, List<String> violations) {
    if (node.path(attribute).asText("").isBlank()) {
      violations.add("%s: %s must be set".formatted(where, attribute));
    }
  }

  private static boolean isTrue(JsonNode node) {
    return node.isBoolean() && node.booleanValue();
  }

  private static boolean isFalse(JsonNode node) {
    return node.isBoolean() && !node.booleanValue();
  }
}
