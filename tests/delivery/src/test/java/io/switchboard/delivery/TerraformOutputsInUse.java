package io.switchboard.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The environments' outputs that people and automation read by name ({@code terraform output -raw
 * cluster_name} in terraform/README.md, docs/, deploy/ and .github/): each must be an output of
 * every environment the command can run in, or a copied command fails.
 */
final class TerraformOutputsInUse {

  private static final List<String> PLACES = List.of("README.md", "terraform/README.md", "docs", "deploy", ".github");
  private static final Pattern OUTPUT_COMMAND = Pattern.compile(
      "terraform(?:\\s+-chdir=(\\S+))?\\s+output(?:\\s+-(?:raw|json))?\\s+([a-z][a-z0-9_]*)");

  /** One {@code terraform output NAME} and where it is. */
  record Use(String output, String environment, String file) {}

  private TerraformOutputsInUse() {}

  static List<Use> uses(Path repository) {
    List<Use> uses = new ArrayList<>();
    for (String place : PLACES) {
      Path start = repository.resolve(place);
      if (!Files.exists(start)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(start)) {
        for (Path file : walk.filter(Files::isRegularFile).filter(TerraformOutputsInUse::isText).toList()) {
          Matcher command = OUTPUT_COMMAND.matcher(Files.readString(file));
          while (command.find()) {
            String chdir = command.group(1) == null ? "" : command.group(1).replaceAll("^[\"']|[\"']$", "");
            String environment = chdir.contains("envs/") ? chdir.substring(chdir.indexOf("envs/")) : "";
            uses.add(new Use(command.group(2), environment, repository.relativize(file).toString()));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return uses;
  }

  /** What is missing: an output read somewhere that an environment it may run in does not have. */
  static List<String> missing(TerraformTree tree, List<Use> uses) {
    List<String> missing = new ArrayList<>();
    for (Use use : uses) {
      for (TerraformModule environment : tree.environments()) {
        boolean applies = use.environment().isEmpty() || use.environment().equals(environment.name());
        if (applies && !environment.outputs().containsKey(use.output())) {
          missing.add("%s has no output %s, which %s reads".formatted(environment, use.output(), use.file()));
        }
      }
    }
    return missing.stream().distinct().toList();
  }

  private static boolean isText(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".md") || name.endsWith(".yaml") || name.endsWith(".yml");
  }
}
