package io.switchboard.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The repository's own files (no build output, installs or git internals), for checking that what a
 * workflow or Dependabot names is there, with GitHub's glob rules for {@code paths:} filters.
 */
final class RepositoryFiles {

  /** Folders that are made, not kept: a path into one of them names a build's output. */
  static final Set<String> GENERATED = Set.of(".git", "target", "node_modules", ".terraform");

  private final Path root;
  private final List<String> files;

  private RepositoryFiles(Path root, List<String> files) {
    this.root = root;
    this.files = files;
  }

  static RepositoryFiles of(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      List<String> files = walk.filter(Files::isRegularFile)
          .map(file -> root.relativize(file).toString())
          .filter(relative -> Stream.of(relative.split("/")).noneMatch(GENERATED::contains))
          .sorted()
          .toList();
      return new RepositoryFiles(root, files);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path root() {
    return root;
  }

  /** Names at the top of the repository (services, deploy, .ci, pom.xml, …). */
  Set<String> topLevel() {
    return files.stream().map(file -> file.split("/")[0]).collect(Collectors.toSet());
  }

  boolean exists(String relative) {
    return Files.exists(root.resolve(relative));
  }

  boolean isDirectory(String relative) {
    return Files.isDirectory(root.resolve(relative));
  }

  /** Whether a GitHub glob ({@code *} within a folder, {@code **} across folders) matches any file. */
  boolean anyMatch(String glob) {
    Pattern pattern = githubGlob(glob);
    return files.stream().anyMatch(file -> pattern.matcher(file).matches());
  }

  /** Folders a glob names (Dependabot's {@code directories: [/terraform/modules/*]}). */
  List<String> directoriesMatching(String glob) {
    Pattern pattern = githubGlob(glob);
    return files.stream()
        .flatMap(file -> {
          List<String> parents = new ArrayList<>();
          for (int at = file.indexOf('/'); at > 0; at = file.indexOf('/', at + 1)) {
            parents.add(file.substring(0, at));
          }
          return parents.stream();
        })
        .distinct()
        .filter(dir -> pattern.matcher(dir).matches())
        .toList();
  }

  static Pattern githubGlob(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (glob.startsWith("**/", i)) {
        regex.append("(?:.*/)?");
        i += 2;
      } else if (glob.startsWith("**", i)) {
        regex.append(".*");
        i += 1;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '[') {
        int end = glob.indexOf(']', i);
        regex.append(glob, i, end + 1);
        i = end;
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
