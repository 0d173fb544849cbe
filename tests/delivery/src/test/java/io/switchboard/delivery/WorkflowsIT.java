package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * .github/ checked with the real tools where they run offline (npm's action-validator for the
 * workflow schema, shellcheck for every {@code run:} block) and, on the parsed files, the rules the
 * schema does not know: least permissions, pinned actions, timeouts, every file a step names being in
 * the repository, the Terraform the workflow installs satisfying terraform/'s required_version, and
 * a Dependabot configuration GitHub accepts and that covers every manifest.
 *
 * <p>Each check also runs against a copy of .github/ with one deliberate mistake, and must report it.
 * The gitops workflow's tag bump is run for real in {@link ImageTagBumpIT}.
 */
class WorkflowsIT {

  static final Path GITHUB = Repository.path(".github");
  static final Path VALIDATOR = Repository.path("tests/delivery/node/node_modules/.bin/action-validator");

  static List<Workflow> workflows;
  static RepositoryFiles repository;

  @BeforeAll
  static void readTheWorkflows() {
    workflows = Workflow.readAll(GITHUB);
    repository = RepositoryFiles.of(Repository.root());
  }

  @Test
  void oneWorkflowPerConcernAndADependabotConfiguration() {
    assertThat(workflows).map(Workflow::fileName)
        .contains("ci.yml", "images.yml", "chart.yml", "terraform.yml", "gitops.yml");
    assertThat(GITHUB.resolve("dependabot.yml")).isRegularFile();
  }

  // ---- the workflow schema (action-validator) ---------------------------------------------------

  static Stream<Path> workflowFiles() {
    return Workflow.readAll(GITHUB).stream().map(Workflow::file);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("workflowFiles")
  void everyWorkflowIsValidAgainstGitHubsWorkflowSchema(Path file) {
    Docker.Result validated = actionValidator(file);
    assertThat(validated.exitCode()).as("action-validator %s:\n%s", file, validated.output()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemaBreakages")
  void theSchemaValidatorReports(WorkflowBreakage breakage) {
    Docker.Result validated = actionValidator(breakage.apply().resolve(breakage.file()));
    assertThat(validated.exitCode()).as(validated.output()).isNotZero();
    assertThat(validated.output()).contains(breakage.expected());
  }

  static Stream<WorkflowBreakage> schemaBreakages() {
    return Stream.of(
        new WorkflowBreakage("a misspelt runs-on", "workflows/ci.yml", "    runs-on: ubuntu-latest",
            "    run-on: ubuntu-latest", "Additional property 'run-on' is not allowed"),
        new WorkflowBreakage("a timeout that is not a number", "workflows/chart.yml", "timeout-minutes: 10",
            "timeout-minutes: soon", "/jobs/lint/timeout-minutes"),
        new WorkflowBreakage("an unquoted colon in a step name", "workflows/terraform.yml",
            "- name: terraform plan, without the state lock", "- name: terraform plan: without the state lock",
            "Parse Error"));
  }

  // ---- the policy: permissions, pins, timeouts, concurrency, no injection ------------------------

  @Test
  void everyJobHasLeastPermissionsPinnedActionsAndATimeout() {
    assertThat(WorkflowPolicy.violations(workflows)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policyBreakages")
  void thePolicyCheckReports(WorkflowBreakage breakage) {
    assertThat(WorkflowPolicy.violations(Workflow.readAll(breakage.apply())))
        .anyMatch(violation -> violation.contains(breakage.expected()));
  }

  static Stream<WorkflowBreakage> policyBreakages() {
    String ci = "workflows/ci.yml";
    String images = "workflows/images.yml";
    return Stream.of(
        new WorkflowBreakage("an action on a branch", ci, "actions/checkout@v4", "actions/checkout@main",
            "ci.yml: job verify uses actions/checkout@main, which is not pinned"),
        new WorkflowBreakage("an action without a version", ci, "actions/setup-java@v4", "actions/setup-java",
            "uses actions/setup-java, which is not pinned"),
        new WorkflowBreakage("a job with write-all", ci, "    permissions:\n      contents: read\n",
            "    permissions: write-all\n", "ci.yml: job verify has permissions: write-all"),
        new WorkflowBreakage("a job without permissions", "workflows/chart.yml",
            "    timeout-minutes: 10\n    permissions:\n      contents: read\n    steps:",
            "    timeout-minutes: 10\n    steps:", "chart.yml: job lint has no permissions: of its own"),
        new WorkflowBreakage("write access at the top", ci, "permissions:\n  contents: read\n",
            "permissions:\n  contents: write\n", "ci.yml: top-level permissions grant contents: write"),
        new WorkflowBreakage("an OIDC token without AWS", ci, "    permissions:\n      contents: read\n",
            "    permissions:\n      contents: read\n      id-token: write\n",
            "ci.yml: job verify may mint OIDC tokens (id-token: write) but configures no AWS credentials"),
        new WorkflowBreakage("contents: write outside gitops", images,
            "    permissions:\n      contents: read\n      id-token: write\n",
            "    permissions:\n      contents: write\n      id-token: write\n",
            "images.yml: job image may write contents"),
        new WorkflowBreakage("a job without a timeout", images, "    timeout-minutes: 5\n", "",
            "images.yml: job published has no timeout-minutes"),
        new WorkflowBreakage("no concurrency group", "workflows/terraform.yml",
            "concurrency:\n  group: terraform-${{ github.event.pull_request.number }}\n  cancel-in-progress: true\n",
            "", "terraform.yml: no concurrency: group"),
        new WorkflowBreakage("a checkout that keeps the token", ci, "        with:\n          persist-credentials: false\n",
            "", "ci.yml: job verify: actions/checkout keeps the token"),
        new WorkflowBreakage("an input expanded into a script", "workflows/gitops.yml",
            "node .github/scripts/bump-image-tags.mjs \"$overlay\" \"$TAG\"",
            "node .github/scripts/bump-image-tags.mjs \"$overlay\" \"${{ inputs.tag }}\"",
            "gitops.yml: job bump: a run: block expands ${{ inputs."));
  }

  // ---- everything a workflow names is in the repository ------------------------------------------

  @Test
  void everyScriptFileAndFolderTheWorkflowsNameIsInTheRepository() {
    assertThat(WorkflowReferences.problems(repository, workflows)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("referenceBreakages")
  void theReferenceCheckReports(WorkflowBreakage breakage) {
    assertThat(WorkflowReferences.problems(repository, Workflow.readAll(breakage.apply())))
        .anyMatch(problem -> problem.contains(breakage.expected()));
  }

  static Stream<WorkflowBreakage> referenceBreakages() {
    return Stream.of(
        new WorkflowBreakage("a step running a missing script", "workflows/ci.yml", "run: bash .ci/run",
            "run: bash .ci/run-all", "ci.yml: job verify runs or reads .ci/run-all, which is not in the repository"),
        new WorkflowBreakage("a missing executable", "workflows/images.yml", "./mvnw -B -ntp", "./gradlew -B -ntp",
            "images.yml: job jars runs or reads ./gradlew"),
        new WorkflowBreakage("an npm folder that is not there", "workflows/gitops.yml",
            "run: npm ci --prefix tests/delivery/node", "run: npm ci --prefix tests/node",
            "gitops.yml: job bump runs or reads tests/node"),
        new WorkflowBreakage("a Dockerfile in the matrix that is not there", "workflows/images.yml",
            "dockerfile: docker/kms-emulator.Dockerfile", "dockerfile: docker/emulator.Dockerfile",
            "images.yml: job image runs or reads docker/emulator.Dockerfile"),
        new WorkflowBreakage("a Terraform root in the matrix that is not there", "workflows/terraform.yml",
            "root: [envs/staging, envs/prod, bootstrap]", "root: [envs/staging, envs/production, bootstrap]",
            "terraform.yml: job validate runs or reads terraform/envs/production"),
        new WorkflowBreakage("a values glob that matches nothing", "workflows/chart.yml",
            "deploy/helm/switchboard/ci/*-values.yaml", "deploy/helm/switchboard/ci/*-values.yml",
            "chart.yml: job lint names deploy/helm/switchboard/ci/*-values.yml, which matches no file"),
        new WorkflowBreakage("a paths filter on a misspelt folder", "workflows/images.yml", "- \"services/**\"",
            "- \"servces/**\"", "images.yml: on.push.paths 'servces/**' matches no file in the repository"),
        new WorkflowBreakage("a working directory that is not there", "workflows/ci.yml",
            "        run: bash .ci/run", "        working-directory: ci\n        run: bash .ci/run",
            "ci.yml: job verify works in ci, which is not a folder of the repository"),
        new WorkflowBreakage("waiting for a workflow no one has", "workflows/gitops.yml", "workflows: [images]",
            "workflows: [build-images]", "gitops.yml: workflow_run waits for 'build-images'"));
  }

  // ---- shellcheck on every run: block ------------------------------------------------------------

  @Test
  void everyRunBlockPassesShellcheck() throws IOException {
    assertThat(shellcheck(workflows)).isEmpty();
  }

  @Test
  void shellcheckReportsAnUnquotedVariableInARunBlock() throws IOException {
    WorkflowBreakage breakage = new WorkflowBreakage("an unquoted variable", "workflows/chart.yml",
        "helm lint --strict \"$CHART\" -f \"$values\"", "helm lint --strict $CHART -f $values", "SC2086");
    assertThat(shellcheck(Workflow.readAll(breakage.apply())))
        .anyMatch(finding -> finding.contains("chart.yml: job lint") && finding.contains(breakage.expected()));
  }

  /** Each run: block as GitHub runs it (bash -e), expressions replaced by a word; one finding per block. */
  private static List<String> shellcheck(List<Workflow> checked) throws IOException {
    Path dir = Files.createDirectories(Repository.path("tests/delivery/target/run-blocks"));
    List<String> findings = new ArrayList<>();
    for (Workflow workflow : checked) {
      for (var job : workflow.jobs().entrySet()) {
        int index = 0;
        for (var step : Workflow.steps(job.getValue())) {
          index++;
          if (!step.has("run")) {
            continue;
          }
          Path script = dir.resolve(workflow.fileName() + "-" + job.getKey() + "-" + index + ".sh");
          Files.writeString(script, "#!/usr/bin/env bash\nset -eo pipefail\n"
              + step.path("run").asText().replaceAll("\\$\\{\\{[^}]*}}", "EXPRESSION"));
          Docker.Result checkedScript = tool("shellcheck", "Debian's shellcheck (.ci/run installs it)",
              "shellcheck", "-s", "bash", script.toString());
          if (checkedScript.exitCode() != 0) {
            findings.add(workflow + ": job " + job.getKey() + ", step " + index + ":\n" + checkedScript.output());
          }
        }
      }
    }
    return findings;
  }

  // ---- pinned tool versions ---------------------------------------------------------------------

  @Test
  void theTerraformTheWorkflowsInstallSatisfiesEveryRequiredVersion() {
    assertThat(requiredTerraformVersions()).isNotEmpty();
    assertThat(WorkflowToolVersions.problems(workflows, requiredTerraformVersions())).isEmpty();
  }

  @Test
  void theToolVersionCheckReportsATerraformTooOldForTheRoots() {
    WorkflowBreakage breakage = new WorkflowBreakage("an old Terraform", "workflows/terraform.yml",
        "TERRAFORM_VERSION: 1.11.4", "TERRAFORM_VERSION: 1.9.8", "");
    assertThat(WorkflowToolVersions.problems(Workflow.readAll(breakage.apply()), requiredTerraformVersions()))
        .anyMatch(problem -> problem.contains("installs Terraform 1.9.8, which does not satisfy required_version ~>"));
  }

  @Test
  void theToolVersionCheckReportsAFloatingHelm() {
    WorkflowBreakage breakage = new WorkflowBreakage("a floating Helm", "workflows/chart.yml",
        "HELM_VERSION: v3.21.0", "HELM_VERSION: latest", "");
    assertThat(WorkflowToolVersions.problems(Workflow.readAll(breakage.apply()), requiredTerraformVersions()))
        .anyMatch(problem -> problem.contains("installs Helm 'latest', not an exact release"));
  }

  @Test
  void terraformsPessimisticConstraintIsReadAsTerraformReadsIt() {
    assertThat(WorkflowToolVersions.satisfies(new int[] {1, 11, 4}, "~> 1.10")).isTrue();
    assertThat(WorkflowToolVersions.satisfies(new int[] {2, 0, 0}, "~> 1.10")).isFalse();
    assertThat(WorkflowToolVersions.satisfies(new int[] {1, 9, 8}, "~> 1.10")).isFalse();
    assertThat(WorkflowToolVersions.satisfies(new int[] {1, 10, 9}, "~> 1.10.2")).isTrue();
    assertThat(WorkflowToolVersions.satisfies(new int[] {1, 11, 0}, "~> 1.10.2")).isFalse();
    assertThat(WorkflowToolVersions.satisfies(new int[] {1, 11, 4}, ">= 1.10, < 1.12")).isTrue();
  }

  private static List<String> requiredTerraformVersions() {
    return TerraformTree.read(Repository.path("terraform")).modules().stream()
        .flatMap(module -> module.terraformBlocks().stream())
        .map(block -> block.path("required_version").asText())
        .filter(version -> !version.isEmpty())
        .distinct()
        .toList();
  }

  // ---- Dependabot --------------------------------------------------------------------------------

  @Test
  void dependabotWatchesEveryManifestWithKnownEcosystemsAndFolders() {
    assertThat(DependabotConfig.problems(repository, GITHUB.resolve("dependabot.yml"))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dependabotBreakages")
  void theDependabotCheckReports(WorkflowBreakage breakage) {
    assertThat(DependabotConfig.problems(repository, breakage.apply().resolve("dependabot.yml")))
        .anyMatch(problem -> problem.contains(breakage.expected()));
  }

  static Stream<WorkflowBreakage> dependabotBreakages() {
    String file = "dependabot.yml";
    return Stream.of(
        new WorkflowBreakage("an ecosystem GitHub does not know", file, "package-ecosystem: maven",
            "package-ecosystem: mvn", "updates[mvn]: package-ecosystem 'mvn' is not one of GitHub's"),
        new WorkflowBreakage("a folder that is not there", file, "directory: /tests/delivery/node",
            "directory: /tests/node", "updates[npm]: /tests/node is not a folder of the repository"),
        new WorkflowBreakage("an npm folder left unwatched", file, "directory: /tests/delivery/node",
            "directory: /tests/delivery", "tests/delivery/node has a package-lock.json, but no npm entry covers it"),
        new WorkflowBreakage("a folder without that ecosystem's manifest", file, "directory: /docker\n    schedule",
            "directory: /deploy\n    schedule", "updates[docker]: /deploy holds no docker manifest"),
        new WorkflowBreakage("a Terraform root left unwatched", file, "      - /terraform/bootstrap\n", "",
            "terraform/bootstrap pins providers in versions.tf, but no terraform entry covers it"),
        new WorkflowBreakage("an interval GitHub does not know", file, "interval: weekly", "interval: fortnightly",
            "schedule.interval 'fortnightly'"));
  }

  // ---- tools ------------------------------------------------------------------------------------

  /** Fails, never skips, when the validator is not installed: the schema check is part of the build. */
  private static Docker.Result actionValidator(Path file) {
    if (!Files.isRegularFile(VALIDATOR)) {
      throw new AssertionError("action-validator is not installed in tests/delivery/node/node_modules: "
          + "run: npm ci --prefix tests/delivery/node (.ci/run does it)");
    }
    return tool("node", "Debian's nodejs and npm (.ci/run installs them)", "node", VALIDATOR.toString(),
        file.toString());
  }

  private static Docker.Result tool(String name, String install, String... command) {
    try {
      return Docker.exec(Duration.ofMinutes(1), command);
    } catch (IllegalStateException missing) {
      throw new AssertionError(name + " is missing: install " + install, missing);
    }
  }
}
