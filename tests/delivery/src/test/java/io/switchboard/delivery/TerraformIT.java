package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * terraform/ checked offline with real tools: {@code terraform fmt}, HashiCorp's HCL2 parser
 * (npm's @cdktf/hcl2json), and on what it parsed the wiring, the security policy, the version pins
 * and the contract with the Helm chart. {@code terraform init/validate/plan} need provider and module
 * downloads these machines cannot make; the Terraform workflow (.github/workflows) runs them.
 *
 * <p>Each check also runs against a copy of terraform/ with one deliberate mistake, and must report it.
 */
class TerraformIT {

  static final Path TERRAFORM = Repository.path("terraform");
  static final Path CHART_VALUES = Repository.path("deploy/helm/switchboard/values.yaml");

  static final List<String> MODULES = List.of("modules/network", "modules/cluster", "modules/redis", "modules/kafka",
      "modules/ecr", "modules/iam", "modules/switchboard");
  static final List<String> ENVIRONMENTS = List.of("envs/staging", "envs/prod");

  static TerraformTree tree;
  static JsonNode chartValues;

  @BeforeAll
  static void parseTerraformAndTheChartsValues() throws IOException {
    tree = TerraformTree.read(TERRAFORM);
    assertThat(CHART_VALUES).as("the Helm chart's values, which the media nodes must match").exists();
    chartValues = new ObjectMapper(new YAMLFactory()).readTree(CHART_VALUES.toFile());
  }

  @Test
  void everyFileIsFormattedAsTerraformFmtWants() {
    Docker.Result fmt = fmtCheck(TERRAFORM);
    assertThat(fmt.exitCode()).as("terraform fmt -check -recursive -diff terraform/ (fix: terraform fmt -recursive "
        + "terraform/):\n" + fmt.output()).isZero();
  }

  @Test
  void terraformFmtRejectsAMisformattedFile() {
    Path copy = TerraformBreakage.of("misaligned equals signs", "modules/iam/main.tf", "  name   = \"kafka\"",
        "  name = \"kafka\"", "").applyTo(TERRAFORM);
    Docker.Result fmt = fmtCheck(copy);
    assertThat(fmt.exitCode()).as(fmt.output()).isNotZero();
    assertThat(fmt.output()).contains("modules/iam/main.tf");
  }

  @Test
  void everyModuleHasOneFilePerConcernAndDocumentsItsInterface() {
    assertThat(tree.names()).containsAll(MODULES).containsAll(ENVIRONMENTS).contains("bootstrap");
    for (String name : MODULES) {
      assertThat(tree.module(name).dir()).as(name).isDirectoryContaining("glob:**/main.tf")
          .isDirectoryContaining("glob:**/variables.tf").isDirectoryContaining("glob:**/outputs.tf")
          .isDirectoryContaining("glob:**/versions.tf");
    }
    for (String name : ENVIRONMENTS) {
      assertThat(tree.module(name).dir()).as(name).isDirectoryContaining("glob:**/providers.tf")
          .isDirectoryContaining("glob:**/backend.tf").isDirectoryContaining("glob:**/terraform.tfvars.example");
    }
    for (TerraformModule module : tree.modules()) {
      module.variables().forEach((name, variable) -> {
        assertThat(variable.path("description").asText()).as("%s: variable %s's description", module, name)
            .isNotBlank();
        assertThat(variable.path("type").asText()).as("%s: variable %s's type", module, name).isNotBlank();
      });
      module.outputs().forEach((name, output) -> assertThat(output.path("description").asText())
          .as("%s: output %s's description", module, name).isNotBlank());
    }
  }

  @Test
  void everyFileParsesAsHcl2() {
    List<Path> files = TerraformTree.hclFiles(TERRAFORM);
    Map<Path, JsonNode> parsed = HclParser.parse(files);
    assertThat(parsed).hasSize(files.size());
    assertThat(files).anyMatch(file -> file.toString().endsWith("terraform.tfvars.example"))
        .anyMatch(file -> file.toString().endsWith("backend.hcl.example"));
  }

  @Test
  void theParserRejectsInvalidHcl() {
    Path copy = TerraformBreakage.of("an unclosed block", "envs/staging/main.tf", "module \"switchboard\" {",
        "module \"switchboard\" {{", "").applyTo(TERRAFORM);
    assertThatThrownBy(() -> TerraformTree.read(copy)).hasMessageContaining("not valid HCL2")
        .hasMessageContaining("envs/staging/main.tf");
  }

  @Test
  void theWiringIsComplete() {
    assertThat(TerraformWiring.problems(tree)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wiringBreakages")
  void theWiringCheckReports(TerraformBreakage breakage) {
    assertThat(TerraformWiring.problems(TerraformTree.read(breakage.applyTo(TERRAFORM))))
        .anyMatch(problem -> problem.contains(breakage.expected()));
  }

  static Stream<TerraformBreakage> wiringBreakages() {
    return Stream.of(
        TerraformBreakage.of("a misspelt variable", "modules/redis/main.tf", "= var.node_type", "= var.node_typ",
            "modules/redis: var.node_typ is not declared"),
        TerraformBreakage.of("an argument the module does not declare", "envs/staging/main.tf",
            "  kafka_broker_instance_type   = \"kafka.t3.small\"",
            "  kafka_broker_instance_type   = \"kafka.t3.small\"\n  kafka_broker_count           = 3",
            "envs/staging: module.switchboard passes kafka_broker_count, which is not a variable of "
                + "modules/switchboard"),
        TerraformBreakage.of("an argument the stack's module does not declare", "modules/switchboard/main.tf",
            "  broker_instance_type   = var.kafka_broker_instance_type",
            "  broker_instance_type   = var.kafka_broker_instance_type\n  broker_count           = 3",
            "modules/switchboard: module.kafka passes broker_count, which is not a variable of modules/kafka"),
        TerraformBreakage.of("a required variable left out", "envs/prod/main.tf",
            "  admin_principal_arns         = var.admin_principal_arns\n", "",
            "envs/prod: module.switchboard does not pass admin_principal_arns"),
        TerraformBreakage.of("a required variable of a stack's module left out", "modules/switchboard/main.tf",
            "  allowed_security_group_id = module.cluster.node_security_group_id\n", "",
            "modules/switchboard: module.redis does not pass allowed_security_group_id"),
        TerraformBreakage.of("an output the module does not have", "envs/staging/outputs.tf",
            "module.switchboard.redis_url", "module.switchboard.redis_endpoint",
            "envs/staging: module.switchboard.redis_endpoint is not an output of modules/switchboard"),
        TerraformBreakage.of("an output the stack's module does not have", "modules/switchboard/outputs.tf",
            "module.redis.url", "module.redis.endpoint_url",
            "modules/switchboard: module.redis.endpoint_url is not an output of modules/redis"),
        TerraformBreakage.of("an undefined local", "modules/cluster/main.tf", "labels = local.media_node_labels",
            "labels = local.media_labels", "modules/cluster: local.media_labels is not defined"),
        TerraformBreakage.of("a variable nobody uses", "modules/ecr/variables.tf", "variable \"force_delete\" {",
            "variable \"unused_flag\" {\n  description = \"x\"\n  type        = bool\n  default     = false\n}\n\n"
                + "variable \"force_delete\" {",
            "modules/ecr: variable unused_flag is declared but never used"),
        TerraformBreakage.of("an example setting an unknown variable", "envs/prod/terraform.tfvars.example",
            "region = \"eu-west-1\"", "regoin = \"eu-west-1\"",
            "envs/prod: terraform.tfvars.example sets regoin, which is not a variable"));
  }

  @Test
  void everyOutputTheDocsAndWorkflowsReadIsThere() {
    List<TerraformOutputsInUse.Use> uses = TerraformOutputsInUse.uses(Repository.root());
    assertThat(uses).extracting(TerraformOutputsInUse.Use::output).contains("helm_values", "cluster_name",
        "redis_url", "github_actions_role_arn", "github_actions_plan_role_arn");
    assertThat(TerraformOutputsInUse.missing(tree, uses)).isEmpty();
  }

  @Test
  void theOutputCheckReportsARenamedOutput() {
    Path copy = TerraformBreakage.of("a renamed output", "envs/staging/outputs.tf", "output \"cluster_name\" {",
        "output \"eks_cluster_name\" {", "").applyTo(TERRAFORM);
    assertThat(TerraformOutputsInUse.missing(TerraformTree.read(copy), TerraformOutputsInUse.uses(Repository.root())))
        .contains("envs/staging has no output cluster_name, which terraform/README.md reads")
        .noneMatch(problem -> problem.startsWith("envs/prod"));
  }

  @Test
  void theSecurityPolicyHolds() {
    assertThat(TerraformSecurityPolicy.violations(tree)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("securityBreakages")
  void theSecurityPolicyReports(TerraformBreakage breakage) {
    assertThat(TerraformSecurityPolicy.violations(TerraformTree.read(breakage.applyTo(TERRAFORM))))
        .anyMatch(violation -> violation.contains(breakage.expected()));
  }

  static Stream<TerraformBreakage> securityBreakages() {
    String redis = "modules/redis/main.tf";
    String kafka = "modules/kafka/main.tf";
    String cluster = "modules/cluster/main.tf";
    String iam = "modules/iam/main.tf";
    String pullRequests = "values   = [\"repo:${var.github_repository}:pull_request\"]";
    return Stream.of(
        TerraformBreakage.of("ElastiCache without TLS", redis, "transit_encryption_enabled = true",
            "transit_encryption_enabled = false", "transit_encryption_enabled must be true"),
        TerraformBreakage.of("ElastiCache TLS left to a variable", redis, "transit_encryption_enabled = true",
            "transit_encryption_enabled = var.apply_immediately", "transit_encryption_enabled must be true"),
        TerraformBreakage.of("ElastiCache unencrypted at rest", redis, "at_rest_encryption_enabled = true",
            "at_rest_encryption_enabled = false", "at_rest_encryption_enabled must be true"),
        TerraformBreakage.of("MSK accepting plain text", kafka, "client_broker = \"TLS\"",
            "client_broker = \"TLS_PLAINTEXT\"", "client_broker must be \"TLS\""),
        TerraformBreakage.of("MSK without a key at rest", kafka,
            "encryption_at_rest_kms_key_arn = aws_kms_key.this.arn\n", "", "encryption_at_rest_kms_key_arn must be set"),
        TerraformBreakage.of("MSK accepting unauthenticated clients", kafka, "unauthenticated = false",
            "unauthenticated = true", "client_authentication.unauthenticated must be false"),
        TerraformBreakage.of("SSH from anywhere on the media nodes", cluster,
            "resource \"aws_vpc_security_group_ingress_rule\" \"kms_from_nodes\" {", """
                resource "aws_vpc_security_group_ingress_rule" "ssh" {
                  security_group_id = aws_security_group.media.id
                  ip_protocol       = "tcp"
                  from_port         = 22
                  to_port           = 22
                  cidr_ipv4         = "0.0.0.0/0"
                }

                resource "aws_vpc_security_group_ingress_rule" "kms_from_nodes" {""",
            "aws_vpc_security_group_ingress_rule.ssh opens tcp 22-22 to the internet"),
        TerraformBreakage.of("TURN's port 443 opened on another security group", cluster,
            "security_group_id = aws_security_group.media.id\n  description       = \"TURN",
            "security_group_id = module.eks.node_security_group_id\n  description       = \"TURN",
            "aws_vpc_security_group_ingress_rule.media_turn_tls opens tcp 443-443 to the internet"),
        TerraformBreakage.of("a media range wider than Kurento's", cluster, "from_port         = var.media_udp_port_min",
            "from_port         = 1024", "aws_vpc_security_group_ingress_rule.media_udp opens udp 1024-"),
        TerraformBreakage.of("Redis open to the internet", redis,
            "referenced_security_group_id = var.allowed_security_group_id", "cidr_ipv4 = \"0.0.0.0/0\"",
            "modules/redis: aws_vpc_security_group_ingress_rule.from_nodes opens tcp 6379-6379"),
        new TerraformBreakage("Redis open to the internet through a variable's default", List.of(
            new TerraformBreakage.Edit(redis, "referenced_security_group_id = var.allowed_security_group_id",
                "cidr_ipv4 = var.client_cidr"),
            new TerraformBreakage.Edit("modules/redis/variables.tf", "variable \"engine\" {", """
                variable "client_cidr" {
                  description = "x"
                  type        = string
                  default     = "0.0.0.0/0"
                }

                variable "engine" {""")),
            "modules/redis: aws_vpc_security_group_ingress_rule.from_nodes opens"),
        TerraformBreakage.of("an inline ingress block open to the internet", kafka,
            "  description = \"MSK ${var.name}: Kafka over TLS from the EKS nodes only\"", """
                  description = "MSK ${var.name}: Kafka over TLS from the EKS nodes only"

                  ingress {
                    from_port   = 9092
                    to_port     = 9092
                    protocol    = "tcp"
                    cidr_blocks = ["0.0.0.0/0"]
                  }""",
            "modules/kafka: aws_security_group.this has an ingress block open to the internet"),
        TerraformBreakage.of("an open ingress rule handed to the EKS module", cluster, "  enable_irsa = true", """
                  node_security_group_additional_rules = {
                    ssh = {
                      type        = "ingress"
                      protocol    = "tcp"
                      from_port   = 22
                      to_port     = 22
                      cidr_blocks = ["0.0.0.0/0"]
                    }
                  }

                  enable_irsa = true""",
            "module.eks.node_security_group_additional_rules.ssh opens ingress to the internet"),
        TerraformBreakage.of("a plan role trusting every run of the repository", iam, pullRequests,
            "values   = [\"repo:${var.github_repository}:*\"]",
            "modules/iam: aws_iam_role.terraform_plan trusts StringEquals [repo:${var.github_repository}:*]"),
        TerraformBreakage.of("a plan role trusting the main branch", iam, pullRequests,
            "values   = [\"repo:${var.github_repository}:pull_request\", "
                + "\"repo:${var.github_repository}:ref:refs/heads/main\"]",
            "modules/iam: aws_iam_role.terraform_plan trusts StringEquals [repo:${var.github_repository}:pull_request, "),
        TerraformBreakage.of("a plan role that may write the state", iam, "actions   = [\"s3:GetObject\"]",
            "actions   = [\"s3:GetObject\", \"s3:PutObject\"]",
            "aws_iam_role_policy.terraform_plan_state allows s3:PutObject, which may write"),
        TerraformBreakage.of("a plan role with administrator access", iam, "policy/ReadOnlyAccess",
            "policy/AdministratorAccess", "aws_iam_role_policy_attachment.terraform_plan_read_only attaches "
                + "arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"));
  }

  @Test
  void versionsArePinnedAndStateIsLocked() {
    assertThat(TerraformVersionPins.problems(tree)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pinBreakages")
  void thePinCheckReports(TerraformBreakage breakage) {
    assertThat(TerraformVersionPins.problems(TerraformTree.read(breakage.applyTo(TERRAFORM))))
        .anyMatch(problem -> problem.contains(breakage.expected()));
  }

  static Stream<TerraformBreakage> pinBreakages() {
    return Stream.of(
        TerraformBreakage.of("a floating module version", "modules/cluster/main.tf", "version = \"21.15.1\"",
            "version = \"~> 21.0\"", "module.eks (terraform-aws-modules/eks/aws) must pin an exact version"),
        TerraformBreakage.of("an unbounded provider", "envs/prod/versions.tf", "version = \"~> 6.0\"",
            "version = \">= 6.0\"", "envs/prod: provider aws must be pinned with ~>"),
        TerraformBreakage.of("state without a lock", "envs/staging/backend.tf", "use_lockfile = true",
            "use_lockfile = false", "envs/staging: the S3 backend must lock the state"));
  }

  @Test
  void theMediaNodesPortsAndHelmValuesAgreeWithTheChart() {
    assertThat(TerraformChartContract.mismatches(tree, chartValues)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("chartBreakages")
  void theChartContractReports(TerraformBreakage breakage) {
    assertThat(TerraformChartContract.mismatches(TerraformTree.read(breakage.applyTo(TERRAFORM)), chartValues))
        .anyMatch(mismatch -> mismatch.contains(breakage.expected()));
  }

  static Stream<TerraformBreakage> chartBreakages() {
    String cluster = "modules/cluster/main.tf";
    String stack = "modules/switchboard/outputs.tf";
    return Stream.of(
        TerraformBreakage.of("a media label the chart does not select", cluster, "\"switchboard.io/role\" = \"media\"",
            "\"switchboard.io/role\" = \"kurento\"", "modules/cluster: the media nodes are labelled"),
        TerraformBreakage.of("a taint the chart does not tolerate", cluster, "    effect = \"NO_SCHEDULE\"",
            "    effect = \"NO_EXECUTE\"", "switchboard.io/media=true:NoExecute, which the chart's kms.tolerations"),
        TerraformBreakage.of("media nodes in private subnets", cluster, "subnet_ids = var.public_subnet_ids",
            "subnet_ids = var.private_subnet_ids", "the media node group's subnets"),
        TerraformBreakage.of("public subnets without public addresses", "modules/network/main.tf",
            "map_public_ip_on_launch = true", "map_public_ip_on_launch = false", "map_public_ip_on_launch = true"),
        TerraformBreakage.of("a port range narrower than Kurento's", "modules/cluster/variables.tf",
            "default     = 57000", "default     = 40999",
            "modules/cluster: media_udp_port_max defaults to 40999, the chart's kms.maxPort to 57000"),
        TerraformBreakage.of("a port range narrower than Kurento's in the stack", "modules/switchboard/variables.tf",
            "default     = 57000", "default     = 40999",
            "modules/switchboard: media_udp_port_max defaults to 40999, the chart's kms.maxPort to 57000"),
        TerraformBreakage.of("a Helm value the chart does not have", stack, "bootstrapServers =", "bootstrapServer =",
            "modules/switchboard: helm_values.kafka.bootstrapServer is not a value of the chart"),
        TerraformBreakage.of("a Helm value nested where the chart has a string", stack,
            "url = module.redis.url", "url = { primary = module.redis.url }",
            "modules/switchboard: helm_values.redis.url is an object"),
        TerraformBreakage.of("a Helm value of the wrong type", stack, "enabled = true",
            "enabled = \"yes\"", "modules/switchboard: helm_values.kafka.tls.enabled is \"yes\""),
        TerraformBreakage.of("an environment without the chart's values", "envs/prod/outputs.tf",
            "value       = module.switchboard.helm_values", "value       = module.switchboard.redis_url",
            "envs/prod: no helm_values output carrying the chart's values"));
  }

  private static Docker.Result fmtCheck(Path dir) {
    try {
      return Docker.exec(Duration.ofMinutes(1), "terraform", "fmt", "-check", "-recursive", "-diff", dir.toString());
    } catch (IllegalStateException noTerraform) {
      throw new AssertionError("terraform is not on the PATH: install it (https://developer.hashicorp.com/terraform/"
          + "install); these machines have it in /usr/local/bin", noTerraform);
    }
  }
}
