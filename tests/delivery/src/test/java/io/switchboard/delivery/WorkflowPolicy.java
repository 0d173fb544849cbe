package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules every workflow keeps, beyond the schema: least privilege (explicit permissions on every job,
 * writes only where they are used), actions pinned to a release or a commit, a timeout on every job,
 * concurrency, and no untrusted text expanded into a shell.
 */
final class WorkflowPolicy {

  /** Writes a job may hold, and the workflows allowed them; id-token is handled apart. */
  private static final Map<String, Set<String>> WRITES_ALLOWED_IN = Map.of(
      "contents", Set.of("gitops.yml"),
      "pull-requests", Set.of("gitops.yml"));

  private static final String AWS_CREDENTIALS = "aws-actions/configure-aws-credentials";

  /** owner/name[/path]@vN[.N[.N]] or @<40-hex commit>; branches such as main move under you. */
  private static final Pattern PINNED = Pattern.compile("^[\\w.-]+/[\\w./-]+@(v\\d+(\\.\\d+){0,2}|[0-9a-f]{40})$");

  /** Text anyone opening a pull request or dispatching a run controls: never expanded into a script. */
  private static final Pattern UNTRUSTED = Pattern.compile("\\$\\{\\{\\s*(github\\.event\\.|github\\.head_ref|inputs\\.)");

  private WorkflowPolicy() {}

  static List<String> violations(List<Workflow> workflows) {
    List<String> violations = new ArrayList<>();
    for (Workflow workflow : workflows) {
      check(workflow, violations);
    }
    return violations;
  }

  private static void check(Workflow workflow, List<String> violations) {
    String file = workflow.fileName();
    JsonNode top = workflow.yaml().path("permissions");
    if (top.isMissingNode()) {
      violations.add(file + ": no top-level permissions: (the token would get the repository's default, often write)");
    } else if (top.isTextual()) {
      violations.add(file + ": top-level permissions: " + top.asText() + " (name each scope)");
    } else {
      top.fields().forEachRemaining(scope -> {
        if (scope.getValue().asText().equals("write")) {
          violations.add(file + ": top-level permissions grant " + scope.getKey()
              + ": write to every job; grant it in the job that needs it");
        }
      });
    }
    if (workflow.yaml().path("concurrency").isMissingNode()
        && workflow.jobs().values().stream().anyMatch(job -> job.path("concurrency").isMissingNode())) {
      violations.add(file + ": no concurrency: group (overlapping runs of the same ref would race)");
    }
    workflow.jobs().forEach((name, job) -> checkJob(file, name, job, violations));
  }

  private static void checkJob(String file, String name, JsonNode job, List<String> violations) {
    String where = file + ": job " + name;
    JsonNode permissions = job.path("permissions");
    if (permissions.isMissingNode()) {
      violations.add(where + " has no permissions: of its own");
    } else if (permissions.isTextual()) {
      violations.add(where + " has permissions: " + permissions.asText() + " (name each scope it needs)");
    } else {
      permissions.fields().forEachRemaining(scope -> {
        if (scope.getValue().asText().equals("write")) {
          checkWrite(file, where, scope.getKey(), job, violations);
        }
      });
    }
    if (job.has("uses")) {
      // A reusable workflow's call: its own file carries the timeouts and steps.
      checkPinned(where, job.path("uses").asText(), violations);
      return;
    }
    if (!job.has("timeout-minutes")) {
      violations.add(where + " has no timeout-minutes (GitHub's default is six hours)");
    }
    boolean writesContents = permissions.path("contents").asText().equals("write");
    for (JsonNode step : Workflow.steps(job)) {
      String uses = step.path("uses").asText();
      if (!uses.isEmpty()) {
        checkPinned(where, uses, violations);
      }
      // A token left in .git/config is readable by every later step and by uploaded artifacts.
      if (uses.startsWith("actions/checkout@") && !writesContents
          && !step.path("with").path("persist-credentials").asText().equals("false")) {
        violations.add(where + ": actions/checkout keeps the token in .git/config (persist-credentials: false)");
      }
      String run = step.path("run").asText();
      var untrusted = UNTRUSTED.matcher(run);
      if (untrusted.find()) {
        violations.add(where + ": a run: block expands " + untrusted.group().trim()
            + "… into the script; pass it through env: instead");
      }
    }
  }

  private static void checkWrite(String file, String where, String scope, JsonNode job, List<String> violations) {
    if (scope.equals("id-token")) {
      if (!Workflow.usesAction(job, AWS_CREDENTIALS)) {
        violations.add(where + " may mint OIDC tokens (id-token: write) but configures no AWS credentials");
      }
      return;
    }
    if (!WRITES_ALLOWED_IN.getOrDefault(scope, Set.of()).contains(file)) {
      violations.add(where + " may write " + scope + ", which only "
          + WRITES_ALLOWED_IN.getOrDefault(scope, Set.of("no workflow")) + " may");
    }
  }

  private static void checkPinned(String where, String uses, List<String> violations) {
    if (uses.startsWith("./")) {
      return;
    }
    if (uses.startsWith("docker://")) {
      if (!uses.contains("@sha256:") && (!uses.substring(9).contains(":") || uses.endsWith(":latest"))) {
        violations.add(where + " uses " + uses + ", which is not pinned to a tag or digest");
      }
      return;
    }
    if (!PINNED.matcher(uses).matches()) {
      violations.add(where + " uses " + uses + ", which is not pinned to a release tag (vN[.N.N]) or a commit SHA");
    }
  }
}
