package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * .github/dependabot.yml checked for what GitHub would reject or silently ignore (no schema validator
 * for it runs offline: action-validator knows workflows and actions only): version 2, known
 * ecosystems and intervals, every directory there and holding that ecosystem's manifest, groups
 * that select something, and every manifest of the repository covered by an entry.
 */
final class DependabotConfig {

  /** package-ecosystem values GitHub accepts (docs: configuration options for dependabot.yml). */
  static final Set<String> ECOSYSTEMS = Set.of("bazel", "bun", "bundler", "cargo", "composer", "conda",
      "devcontainers", "docker", "docker-compose", "dotnet-sdk", "elm", "github-actions", "gitsubmodule", "gomod",
      "gradle", "helm", "julia", "maven", "mix", "npm", "nuget", "opentofu", "pip", "pre-commit", "pub",
      "rust-toolchain", "swift", "terraform", "uv", "vcpkg");

  static final Set<String> INTERVALS = Set.of("daily", "weekly", "monthly", "quarterly", "semiannually", "yearly",
      "cron");

  /** What Dependabot looks for in a directory of each ecosystem this repository uses. */
  private static final Map<String, Predicate<String>> MANIFESTS = Map.of(
      "maven", name -> name.equals("pom.xml"),
      "npm", name -> name.equals("package.json"),
      "docker", name -> name.toLowerCase().matches(".*(dockerfile|containerfile).*"),
      "docker-compose", name -> name.matches("(docker-)?compose.*\\.ya?ml"),
      "terraform", name -> name.endsWith(".tf"));

  private DependabotConfig() {}

  static List<String> problems(RepositoryFiles repository, Path file) {
    JsonNode config;
    try {
      config = Workflow.YAML.readTree(file.toFile());
    } catch (IOException e) {
      return List.of(file.getFileName() + " is not valid YAML: " + e.getMessage());
    }
    List<String> problems = new ArrayList<>();
    if (config.path("version").asInt() != 2) {
      problems.add("version must be 2, is " + config.path("version"));
    }
    if (!config.path("updates").isArray() || config.path("updates").isEmpty()) {
      problems.add("updates: lists no ecosystem");
    }
    Map<String, Set<String>> covered = new HashMap<>();
    for (String watched : List.of("maven", "npm", "terraform", "github-actions")) {
      covered.put(watched, new HashSet<>());
    }
    Set<String> seen = new HashSet<>();
    for (JsonNode update : config.path("updates")) {
      String ecosystem = update.path("package-ecosystem").asText();
      String where = "updates[" + ecosystem + "]";
      if (!ECOSYSTEMS.contains(ecosystem)) {
        problems.add(where + ": package-ecosystem '" + ecosystem + "' is not one of GitHub's");
      }
      String interval = update.path("schedule").path("interval").asText();
      if (!INTERVALS.contains(interval)) {
        problems.add(where + ": schedule.interval '" + interval + "' is not one of " + INTERVALS);
      }
      for (String directory : directories(update, where, problems)) {
        for (String dir : expand(repository, directory, where, problems)) {
          if (!seen.add(ecosystem + " " + dir)) {
            problems.add(where + ": " + directory + " is listed twice");
          }
          checkManifest(repository, ecosystem, dir, where, problems);
          covered.computeIfPresent(ecosystem, (key, dirs) -> {
            dirs.add(dir);
            return dirs;
          });
        }
      }
      update.path("groups").fields().forEachRemaining(group -> {
        JsonNode rules = group.getValue();
        if (Stream.of("patterns", "exclude-patterns", "dependency-type", "update-types").noneMatch(rules::has)) {
          problems.add(where + ": group " + group.getKey() + " selects nothing (patterns, dependency-type or update-types)");
        }
      });
    }
    checkCoverage(repository, covered, problems);
    return problems;
  }

  private static List<String> directories(JsonNode update, String where, List<String> problems) {
    List<String> directories = new ArrayList<>();
    if (update.has("directory")) {
      directories.add(update.path("directory").asText());
    }
    update.path("directories").forEach(directory -> directories.add(directory.asText()));
    if (directories.isEmpty() || (update.has("directory") && update.has("directories"))) {
      problems.add(where + ": needs either directory: or directories:");
    }
    return directories;
  }

  /** The folders (relative, "" for the root) an entry names; a glob must name at least one. */
  private static List<String> expand(RepositoryFiles repository, String directory, String where,
      List<String> problems) {
    if (!directory.startsWith("/")) {
      problems.add(where + ": directory " + directory + " must start with / (the repository's root)");
      return List.of();
    }
    String relative = directory.substring(1).replaceFirst("/$", "");
    if (relative.contains("*")) {
      List<String> matched = repository.directoriesMatching(relative);
      if (matched.isEmpty()) {
        problems.add(where + ": " + directory + " matches no folder of the repository");
      }
      return matched;
    }
    if (!relative.isEmpty() && !repository.isDirectory(relative)) {
      problems.add(where + ": " + directory + " is not a folder of the repository");
      return List.of();
    }
    return List.of(relative);
  }

  private static void checkManifest(RepositoryFiles repository, String ecosystem, String dir, String where,
      List<String> problems) {
    if (ecosystem.equals("github-actions")) {
      if (!dir.isEmpty() || !repository.isDirectory(".github/workflows")) {
        problems.add(where + ": workflows are found from directory /, with .github/workflows in it");
      }
      return;
    }
    Predicate<String> manifest = MANIFESTS.get(ecosystem);
    if (manifest != null && filesIn(repository.root().resolve(dir)).noneMatch(manifest)) {
      problems.add(where + ": /" + dir + " holds no " + ecosystem + " manifest");
    }
  }

  /** Each manifest this repository has must be watched: a new npm folder or Terraform root included. */
  private static void checkCoverage(RepositoryFiles repository, Map<String, Set<String>> covered,
      List<String> problems) {
    if (!covered.get("maven").contains("")) {
      problems.add("the root pom.xml is covered by no maven entry");
    }
    if (!covered.get("github-actions").contains("")) {
      problems.add(".github/workflows is covered by no github-actions entry");
    }
    for (String dir : repository.directoriesMatching("**")) {
      Path path = repository.root().resolve(dir);
      if (Files.exists(path.resolve("package-lock.json")) && !covered.get("npm").contains(dir)) {
        problems.add(dir + " has a package-lock.json, but no npm entry covers it");
      }
      if (dir.startsWith("terraform/") && Files.exists(path.resolve("versions.tf"))
          && !covered.get("terraform").contains(dir)) {
        problems.add(dir + " pins providers in versions.tf, but no terraform entry covers it");
      }
    }
  }

  private static Stream<String> filesIn(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isRegularFile).map(file -> file.getFileName().toString()).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
