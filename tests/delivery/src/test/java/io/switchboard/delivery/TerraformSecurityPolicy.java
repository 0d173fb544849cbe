package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The security policy of terraform/, read from the configuration itself:
 * <ul>
 *   <li>ElastiCache encrypts in transit and at rest (with a KMS key) and requires an AUTH token;</li>
 *   <li>MSK encrypts client and broker traffic with TLS and data at rest with a KMS key, and
 *       authenticates every client (SASL/IAM on, unauthenticated access off);</li>
 *   <li>nothing is open to the internet (0.0.0.0/0, ::/0) on ingress except, on the media nodes,
 *       Kurento's WebRTC port range and TURN over TLS on 443;</li>
 *   <li>the role the Terraform workflow plans with on pull requests (aws_iam_role.terraform_plan)
 *       trusts the repository's pull_request runs only, for sts.amazonaws.com, and can write nothing:
 *       AWS's ReadOnlyAccess and inline Get/List/Describe actions only.</li>
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

  /** The plan role, and what its trust and policies may say. */
  private static final String PLAN_ROLE = "terraform_plan";
  private static final Pattern PLAN_ROLE_REFERENCE = Pattern.compile("aws_iam_role\\." + PLAN_ROLE + "\\b");
  private static final Pattern POLICY_DOCUMENT = Pattern.compile("data\\.aws_iam_policy_document\\.([A-Za-z_][\\w-]*)");
  private static final String PULL_REQUEST_SUBJECT = "repo:${var.github_repository}:pull_request";
  private static final Pattern READ_ACTION = Pattern.compile("[a-z0-9-]+:(Get|List|Describe)[A-Za-z0-9]*");
  private static final String READ_ONLY_ACCESS = ":iam::aws:policy/ReadOnlyAccess";

  private TerraformSecurityPolicy() {}

  static List<String> violations(TerraformTree tree) {
    List<String> violations = new ArrayList<>();
    int replicationGroups = 0;
    int kafkaClusters = 0;
    int planRoles = 0;
    for (TerraformModule module : tree.modules()) {
      JsonNode planRole = module.resources("aws_iam_role").get(PLAN_ROLE);
      if (planRole != null) {
        planRoles++;
        planRole(module, planRole, violations);
      }
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
    if (planRoles == 0) {
      violations.add("no aws_iam_role." + PLAN_ROLE + " found: the plan role's policy checked nothing");
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

  private static void planRole(TerraformModule module, JsonNode role, List<String> violations) {
    String where = module + ": aws_iam_role." + PLAN_ROLE;
    Map<String, JsonNode> documents = module.dataSources("aws_iam_policy_document");
    JsonNode trust = document(role.path("assume_role_policy"), documents);
    if (trust == null) {
      violations.add(where + ": assume_role_policy must be an aws_iam_policy_document of this module");
    } else {
      planTrust(where, trust, violations);
    }
    module.resources("aws_iam_role_policy").forEach((name, policy) -> {
      if (PLAN_ROLE_REFERENCE.matcher(policy.path("role").asText()).find()) {
        JsonNode document = document(policy.path("policy"), documents);
        if (document == null) {
          violations.add(where + ": aws_iam_role_policy." + name + "'s policy must be an aws_iam_policy_document "
              + "of this module");
        } else {
          readOnly(where + ": aws_iam_role_policy." + name, document, violations);
        }
      }
    });
    module.resources("aws_iam_role_policy_attachment").forEach((name, attachment) -> {
      String arn = attachment.path("policy_arn").asText();
      if (PLAN_ROLE_REFERENCE.matcher(attachment.path("role").asText()).find() && !arn.endsWith(READ_ONLY_ACCESS)) {
        violations.add("%s: aws_iam_role_policy_attachment.%s attaches %s; only AWS's ReadOnlyAccess may be"
            .formatted(where, name, arn));
      }
    });
  }

  /** Every statement trusts GitHub's pull_request runs of the repository, for STS, and nothing else. */
  private static void planTrust(String where, JsonNode trust, List<String> violations) {
    for (JsonNode statement : trust.path("statement")) {
      boolean subject = false;
      boolean audience = false;
      for (JsonNode condition : statement.path("condition")) {
        String variable = condition.path("variable").asText();
        List<String> values = new ArrayList<>();
        condition.path("values").forEach(value -> values.add(value.asText()));
        if (variable.endsWith(":sub")) {
          subject = true;
          boolean exact = condition.path("test").asText().equals("StringEquals");
          if (!exact || !values.equals(List.of(PULL_REQUEST_SUBJECT))) {
            violations.add("%s trusts %s %s; only StringEquals %s may be".formatted(where,
                condition.path("test").asText(), values, PULL_REQUEST_SUBJECT));
          }
        } else if (variable.endsWith(":aud")) {
          audience = values.equals(List.of("sts.amazonaws.com"));
        }
      }
      if (!subject) {
        violations.add(where + ": a trust statement without a sub condition trusts every run of every repository");
      }
      if (!audience) {
        violations.add(where + ": a trust statement must require the audience sts.amazonaws.com");
      }
    }
  }

  /** Allow statements name Get, List or Describe actions only, without wildcards. */
  private static void readOnly(String where, JsonNode document, List<String> violations) {
    for (JsonNode statement : document.path("statement")) {
      if (statement.path("effect").asText("Allow").equals("Deny")) {
        continue;
      }
      if (statement.has("not_actions")) {
        violations.add(where + ": not_actions allows everything else, which writes");
      }
      statement.path("actions").forEach(action -> {
        if (!READ_ACTION.matcher(action.asText()).matches()) {
          violations.add("%s allows %s, which may write; the plan role reads only".formatted(where, action.asText()));
        }
      });
    }
  }

  private static JsonNode document(JsonNode reference, Map<String, JsonNode> documents) {
    Matcher name = POLICY_DOCUMENT.matcher(reference.asText());
    return name.find() ? documents.get(name.group(1)) : null;
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
