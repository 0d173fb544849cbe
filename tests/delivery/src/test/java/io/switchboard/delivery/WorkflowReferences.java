package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything a workflow names in the repository is there: the scripts its steps run ({@code bash X},
 * {@code node X}, {@code ./X}), the files and folders they pass ({@code -f X}, {@code --prefix X}, any
 * word under a top-level folder, in {@code run:}, {@code with:} and {@code env:}, with each matrix
 * value put in), working directories, local actions and reusable workflows, {@code paths:} filters
 * that match some file, and the workflows a {@code workflow_run} waits for.
 *
 * <p>A word with a shell variable in it is checked up to the folder before the variable
 * ({@code deploy/kustomize/overlays/$ENVIRONMENT} needs deploy/kustomize/overlays); build output
 * (a {@code target} folder) is not in a checkout and is not checked.
 */
final class WorkflowReferences {

  /** Commands whose next word is a file they run. */
  private static final Set<String> RUNNERS = Set.of("bash", "sh", "node");
  /** Options whose value is a file or folder of the repository. */
  private static final Set<String> PATH_OPTIONS = Set.of("-f", "--file", "--prefix", "--values", "-C");

  private static final Pattern MATRIX = Pattern.compile("\\$\\{\\{\\s*matrix\\.([\\w-]+)\\s*}}");
  private static final Pattern COMMENT = Pattern.compile("(^|\\s)#.*$", Pattern.MULTILINE);
  private static final Pattern WORD_BREAK = Pattern.compile("[\\s;|&()<>`,]+");
  private static final Pattern PATH_LIKE = Pattern.compile("[\\w./*-]+");

  private final RepositoryFiles repository;
  private final Set<String> topLevel;
  private final List<String> problems = new ArrayList<>();

  private WorkflowReferences(RepositoryFiles repository) {
    this.repository = repository;
    this.topLevel = repository.topLevel();
  }

  static List<String> problems(RepositoryFiles repository, List<Workflow> workflows) {
    WorkflowReferences check = new WorkflowReferences(repository);
    Set<String> names = new LinkedHashSet<>();
    workflows.forEach(workflow -> names.add(workflow.name()));
    for (Workflow workflow : workflows) {
      check.triggers(workflow, names);
      check.jobs(workflow);
    }
    return check.problems;
  }

  private void triggers(Workflow workflow, Set<String> workflowNames) {
    workflow.on().fields().forEachRemaining(event -> {
      for (String filter : List.of("paths", "paths-ignore")) {
        for (JsonNode pattern : event.getValue().path(filter)) {
          String glob = pattern.asText().replaceFirst("^!", "");
          if (!repository.anyMatch(glob)) {
            problems.add("%s: on.%s.%s '%s' matches no file in the repository".formatted(workflow, event.getKey(),
                filter, pattern.asText()));
          }
        }
      }
    });
    for (JsonNode name : workflow.on().path("workflow_run").path("workflows")) {
      if (!workflowNames.contains(name.asText())) {
        problems.add("%s: workflow_run waits for '%s', which no workflow is named (%s)".formatted(workflow,
            name.asText(), workflowNames));
      }
    }
  }

  private void jobs(Workflow workflow) {
    JsonNode top = workflow.yaml();
    workflow.jobs().forEach((name, job) -> {
      String where = workflow + ": job " + name;
      List<Map<String, String>> rows = matrixRows(job);
      String jobDir = workingDirectory(job.path("defaults").path("run"),
          workingDirectory(top.path("defaults").path("run"), ""));
      if (job.has("uses")) {
        local(where, job.path("uses").asText());
      }
      values(where, top.path("env"), rows, "", false);
      values(where, job.path("env"), rows, "", false);
      for (JsonNode step : Workflow.steps(job)) {
        String dir = workingDirectory(step, jobDir);
        for (String expanded : expand(dir, rows)) {
          if (!expanded.isEmpty() && !expanded.contains("$") && !repository.isDirectory(expanded)) {
            problems.add("%s works in %s, which is not a folder of the repository".formatted(where, expanded));
          }
        }
        local(where, step.path("uses").asText());
        values(where, step.path("env"), rows, "", false);
        values(where, step.path("with"), rows, "", false);
        values(where, step.path("run"), rows, dir, true);
      }
    });
  }

  /**
   * Every string under {@code node}, each matrix row put in, checked word by word; in a command line
   * ({@code run:}) also what bash, sh and node run and what -f, --prefix and the like name.
   */
  private void values(String where, JsonNode node, List<Map<String, String>> rows, String dir, boolean commandLine) {
    if (node.isContainerNode()) {
      node.forEach(child -> values(where, child, rows, dir, commandLine));
      return;
    }
    if (!node.isTextual()) {
      return;
    }
    for (String text : expand(node.asText(), rows)) {
      words(where, COMMENT.matcher(text).replaceAll(""), dir.contains("$") ? "" : dir, commandLine);
    }
  }

  private void words(String where, String text, String dir, boolean commandLine) {
    String previous = "";
    for (String raw : WORD_BREAK.split(text)) {
      String word = raw.replace("\"", "").replace("'", "");
      String option = word;
      if (word.startsWith("-") && word.contains("=")) {
        option = word.substring(0, word.indexOf('='));
        word = word.substring(word.indexOf('=') + 1);
      }
      boolean named = commandLine && (RUNNERS.contains(previous) || PATH_OPTIONS.contains(previous))
          && !word.startsWith("-") && PATH_LIKE.matcher(word).matches();
      boolean underTopLevel = word.contains("/") && topLevel.contains(word.split("/")[0]);
      if ((named || word.startsWith("./") || underTopLevel) && !word.contains("://") && !word.isEmpty()) {
        String relative = word.startsWith("./") ? word.substring(2) : word;
        path(where, word, dir.isEmpty() ? relative : dir + "/" + relative);
      }
      previous = option;
    }
  }

  private void path(String where, String word, String path) {
    if (path.isEmpty() || List.of(path.split("/")).stream().anyMatch(RepositoryFiles.GENERATED::contains)) {
      return;
    }
    int variable = path.indexOf('$');
    if (variable >= 0) {
      String folder = path.substring(0, path.lastIndexOf('/', variable) + 1);
      if (!folder.isEmpty() && !repository.isDirectory(folder)) {
        problems.add("%s names %s, and %s is not a folder of the repository".formatted(where, word, folder));
      }
    } else if (path.contains("*") || path.contains("[")) {
      if (!repository.anyMatch(path)) {
        problems.add("%s names %s, which matches no file in the repository".formatted(where, word));
      }
    } else if (!repository.exists(path)) {
      problems.add("%s runs or reads %s, which is not in the repository".formatted(where, word));
    }
  }

  private void local(String where, String uses) {
    if (uses.startsWith("./") && !repository.exists(uses.substring(2))) {
      problems.add("%s uses %s, which is not in the repository".formatted(where, uses));
    }
  }

  /** The job's matrix as rows of key → value: its include: entries, or every combination of its lists. */
  private static List<Map<String, String>> matrixRows(JsonNode job) {
    JsonNode matrix = job.path("strategy").path("matrix");
    List<Map<String, String>> rows = new ArrayList<>();
    rows.add(new LinkedHashMap<>());
    matrix.fields().forEachRemaining(key -> {
      if (key.getValue().isArray() && !key.getKey().equals("include") && !key.getKey().equals("exclude")) {
        List<Map<String, String>> product = new ArrayList<>();
        for (Map<String, String> row : rows) {
          for (JsonNode value : key.getValue()) {
            Map<String, String> next = new LinkedHashMap<>(row);
            next.put(key.getKey(), value.asText());
            product.add(next);
          }
        }
        rows.clear();
        rows.addAll(product);
      }
    });
    for (JsonNode include : matrix.path("include")) {
      Map<String, String> row = new LinkedHashMap<>();
      include.fields().forEachRemaining(key -> row.put(key.getKey(), key.getValue().asText()));
      rows.add(row);
    }
    return rows;
  }

  /** The text once per matrix row that sets what it uses ({@code ${{ matrix.x }}}), else as it is. */
  private static Set<String> expand(String text, List<Map<String, String>> rows) {
    Set<String> expanded = new LinkedHashSet<>();
    if (!MATRIX.matcher(text).find()) {
      expanded.add(text);
      return expanded;
    }
    for (Map<String, String> row : rows) {
      Matcher keys = MATRIX.matcher(text);
      StringBuilder out = new StringBuilder();
      boolean complete = true;
      while (keys.find()) {
        String value = row.get(keys.group(1));
        complete &= value != null;
        keys.appendReplacement(out, Matcher.quoteReplacement(value == null ? keys.group() : value));
      }
      keys.appendTail(out);
      if (complete) {
        expanded.add(out.toString());
      }
    }
    if (expanded.isEmpty()) {
      expanded.add(text);
    }
    return expanded;
  }

  /** {@code node}'s working-directory relative to the repository, else {@code otherwise}. */
  private static String workingDirectory(JsonNode node, String otherwise) {
    JsonNode dir = node.path("working-directory");
    if (!dir.isTextual()) {
      return otherwise;
    }
    String relative = dir.asText().replaceFirst("^\\./", "").replaceFirst("/$", "");
    return relative.equals(".") ? "" : relative;
  }
}
