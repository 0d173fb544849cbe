package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every Terraform module under a root (terraform/ or a test's copy of it): each directory with .tf
 * files, parsed as HCL2 in one run of the parser, along with the *.tfvars.example and *.hcl.example
 * files beside them.
 */
final class TerraformTree {

  private final Path root;
  private final Map<String, TerraformModule> modules;

  private TerraformTree(Path root, Map<String, TerraformModule> modules) {
    this.root = root;
    this.modules = modules;
  }

  static TerraformTree read(Path root) {
    List<Path> files = hclFiles(root);
    Map<Path, JsonNode> parsed = HclParser.parse(files);
    Map<String, TerraformModule> modules = new TreeMap<>();
    files.stream().filter(file -> file.toString().endsWith(".tf")).map(Path::getParent).distinct().forEach(dir -> {
      Map<Path, JsonNode> tf = new LinkedHashMap<>();
      parsed.forEach((file, json) -> {
        if (file.getParent().equals(dir) && file.toString().endsWith(".tf")) {
          tf.put(file, json);
        }
      });
      JsonNode example = parsed.getOrDefault(dir.resolve("terraform.tfvars.example"), MissingNode.getInstance());
      String name = root.relativize(dir).toString();
      modules.put(name, new TerraformModule(name, dir, tf, example));
    });
    return new TerraformTree(root, modules);
  }

  /** Every file the parser reads: .tf, and the .example files written in HCL. */
  static List<Path> hclFiles(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .filter(file -> !file.toString().contains("/.terraform/"))
          .filter(file -> {
            String name = file.getFileName().toString();
            return name.endsWith(".tf") || name.endsWith(".tfvars.example") || name.endsWith(".hcl.example");
          })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Collection<TerraformModule> modules() {
    return modules.values();
  }

  TerraformModule module(String name) {
    TerraformModule module = modules.get(name);
    if (module == null) {
      throw new AssertionError("no Terraform module " + name + " under " + root + " (there are " + modules.keySet() + ")");
    }
    return module;
  }

  /** The modules under envs/ (the roots one applies). */
  List<TerraformModule> environments() {
    return modules.values().stream().filter(module -> module.name().startsWith("envs/")).toList();
  }

  /** The module a call's local source ("../../modules/x") points to, if it is local and exists. */
  Optional<TerraformModule> localSource(TerraformModule caller, JsonNode call) {
    String source = call.path("source").asText();
    if (!source.startsWith("./") && !source.startsWith("../")) {
      return Optional.empty();
    }
    Path target = caller.dir().resolve(source).normalize();
    return modules.values().stream().filter(module -> module.dir().normalize().equals(target)).findFirst();
  }

  static boolean isLocalSource(JsonNode call) {
    String source = call.path("source").asText();
    return source.startsWith("./") || source.startsWith("../");
  }

  /** Names of the modules, for messages. */
  List<String> names() {
    return new ArrayList<>(modules.keySet());
  }
}
