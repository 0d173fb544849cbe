package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tools the workflows install are pinned to exact releases, and the Terraform they install is
 * one every root's {@code required_version} accepts (else {@code terraform init} refuses in CI only).
 */
final class WorkflowToolVersions {

  private static final Pattern ENV_REFERENCE = Pattern.compile("^\\$\\{\\{\\s*env\\.([\\w-]+)\\s*}}$");
  private static final Pattern EXACT = Pattern.compile("^v?(\\d+)\\.(\\d+)\\.(\\d+)$");

  private WorkflowToolVersions() {}

  /**
   * @param requiredVersions each Terraform root's or module's required_version, e.g. "~> 1.10"
   */
  static List<String> problems(List<Workflow> workflows, List<String> requiredVersions) {
    List<String> problems = new ArrayList<>();
    for (Workflow workflow : workflows) {
      workflow.jobs().forEach((name, job) -> {
        for (JsonNode step : Workflow.steps(job)) {
          String uses = step.path("uses").asText();
          String where = workflow + ": job " + name + ": " + uses;
          if (uses.startsWith("hashicorp/setup-terraform@")) {
            String version = resolve(step.path("with").path("terraform_version").asText(), workflow, job);
            Matcher exact = EXACT.matcher(version);
            if (!exact.matches()) {
              problems.add(where + " installs Terraform '" + version + "', not an exact release");
              continue;
            }
            int[] actual = {Integer.parseInt(exact.group(1)), Integer.parseInt(exact.group(2)),
                Integer.parseInt(exact.group(3))};
            for (String constraint : requiredVersions) {
              if (!satisfies(actual, constraint)) {
                problems.add(where + " installs Terraform " + version + ", which does not satisfy required_version "
                    + constraint);
              }
            }
          } else if (uses.startsWith("azure/setup-helm@")) {
            String version = resolve(step.path("with").path("version").asText(), workflow, job);
            if (!EXACT.matcher(version).matches()) {
              problems.add(where + " installs Helm '" + version + "', not an exact release");
            }
          }
        }
      });
    }
    return problems;
  }

  /** {@code ${{ env.X }}} from the job's env or the workflow's, else the text itself. */
  private static String resolve(String value, Workflow workflow, JsonNode job) {
    Matcher reference = ENV_REFERENCE.matcher(value.trim());
    if (!reference.matches()) {
      return value;
    }
    String key = reference.group(1);
    JsonNode fromJob = job.path("env").path(key);
    return fromJob.isMissingNode() ? workflow.yaml().path("env").path(key).asText() : fromJob.asText();
  }

  /** Terraform's constraint syntax: comma-separated =, !=, >, >=, <, <= and ~> (pessimistic). */
  static boolean satisfies(int[] version, String constraints) {
    for (String constraint : constraints.split(",")) {
      Matcher parts = Pattern.compile("^\\s*(~>|>=|<=|!=|=|>|<)?\\s*(\\d+(?:\\.\\d+){0,2})\\s*$").matcher(constraint);
      if (!parts.matches()) {
        throw new IllegalArgumentException("not a Terraform version constraint: " + constraint);
      }
      String op = parts.group(1) == null ? "=" : parts.group(1);
      String[] given = parts.group(2).split("\\.");
      int[] bound = new int[3];
      for (int i = 0; i < given.length; i++) {
        bound[i] = Integer.parseInt(given[i]);
      }
      int compared = compare(version, bound);
      boolean ok = switch (op) {
        case "=" -> compared == 0;
        case "!=" -> compared != 0;
        case ">" -> compared > 0;
        case ">=" -> compared >= 0;
        case "<" -> compared < 0;
        case "<=" -> compared <= 0;
        // ~> 1.10 allows 1.10 up to, not including, 2.0; ~> 1.10.2 up to 1.11.0.
        default -> {
          int[] ceiling = new int[3];
          int last = Math.max(given.length - 2, 0);
          System.arraycopy(bound, 0, ceiling, 0, last);
          ceiling[last] = bound[last] + 1;
          yield compared >= 0 && compare(version, ceiling) < 0;
        }
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static int compare(int[] a, int[] b) {
    for (int i = 0; i < 3; i++) {
      if (a[i] != b[i]) {
        return Integer.compare(a[i], b[i]);
      }
    }
    return 0;
  }
}
