package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Terraform module, a directory of .tf files, as HCL2 parsed them: what it declares (variables,
 * outputs, locals, module calls, resources) and what its expressions reference.
 */
final class TerraformModule {

  /** A {@code var.x}, {@code local.x} or {@code module.m.o} in an expression, and where it is. */
  record Reference(String kind, String name, String attribute, String where) {
    boolean insideVariableBlock() {
      return where.contains(": variable.");
    }
  }

  private static final Pattern REFERENCE =
      Pattern.compile("(?<![\\w.])(var|local|module)\\.([A-Za-z_][\\w-]*)(?:\\.([A-Za-z_][\\w-]*))?");

  private final String name;
  private final Path dir;
  private final Map<Path, JsonNode> files;
  private final JsonNode exampleVariables;

  TerraformModule(String name, Path dir, Map<Path, JsonNode> files, JsonNode exampleVariables) {
    this.name = name;
    this.dir = dir;
    this.files = files;
    this.exampleVariables = exampleVariables;
  }

  /** Its path under terraform/, e.g. modules/redis or envs/prod. */
  String name() {
    return name;
  }

  Path dir() {
    return dir;
  }

  Map<String, JsonNode> variables() {
    return blocks("variable");
  }

  Map<String, JsonNode> outputs() {
    return blocks("output");
  }

  Map<String, JsonNode> moduleCalls() {
    return blocks("module");
  }

  /** Every locals block's attributes together. */
  Map<String, JsonNode> locals() {
    Map<String, JsonNode> locals = new LinkedHashMap<>();
    files.values().forEach(file -> file.path("locals").forEach(block -> block.fields()
        .forEachRemaining(local -> locals.put(local.getKey(), local.getValue()))));
    return locals;
  }

  /** Resources of one type, by name. */
  Map<String, JsonNode> resources(String type) {
    Map<String, JsonNode> resources = new LinkedHashMap<>();
    files.values().forEach(file -> file.path("resource").path(type).fields()
        .forEachRemaining(resource -> resources.put(resource.getKey(), body(resource.getValue()))));
    return resources;
  }

  /** Data sources of one type, by name. */
  Map<String, JsonNode> dataSources(String type) {
    Map<String, JsonNode> sources = new LinkedHashMap<>();
    files.values().forEach(file -> file.path("data").path(type).fields()
        .forEachRemaining(source -> sources.put(source.getKey(), body(source.getValue()))));
    return sources;
  }

  /** The bodies of its terraform { } blocks. */
  List<JsonNode> terraformBlocks() {
    List<JsonNode> blocks = new ArrayList<>();
    files.values().forEach(file -> file.path("terraform").forEach(blocks::add));
    return blocks;
  }

  /** terraform.tfvars.example's assignments (missing node when there is none). */
  JsonNode exampleVariables() {
    return exampleVariables;
  }

  boolean declaresDefault(String variable) {
    return variables().get(variable).has("default");
  }

  /** Every reference in every expression of every file. */
  List<Reference> references() {
    List<Reference> references = new ArrayList<>();
    files.forEach((file, json) -> collect(json, file.getFileName() + ": ", references));
    return references;
  }

  /** The single body of a block whose value hcl2json gives as an array of bodies. */
  static JsonNode body(JsonNode block) {
    return block.isArray() && block.size() == 1 ? block.get(0) : block;
  }

  /** The text of every top-level ${...} in a string, nested braces and all. */
  static List<String> expressions(String text) {
    List<String> expressions = new ArrayList<>();
    int start = text.indexOf("${");
    while (start >= 0) {
      int depth = 0;
      int end = start + 1;
      for (; end < text.length(); end++) {
        char c = text.charAt(end);
        if (c == '{') {
          depth++;
        } else if (c == '}' && --depth == 0) {
          break;
        }
      }
      expressions.add(text.substring(start + 2, Math.min(end, text.length())));
      start = text.indexOf("${", end);
    }
    return expressions;
  }

  @Override
  public String toString() {
    return name;
  }

  private Map<String, JsonNode> blocks(String kind) {
    Map<String, JsonNode> blocks = new LinkedHashMap<>();
    files.values().forEach(file -> file.path(kind).fields()
        .forEachRemaining(block -> blocks.put(block.getKey(), body(block.getValue()))));
    return blocks;
  }

  private static void collect(JsonNode node, String where, List<Reference> references) {
    if (node.isTextual()) {
      for (String expression : expressions(node.asText())) {
        Matcher reference = REFERENCE.matcher(expression);
        while (reference.find()) {
          references.add(new Reference(reference.group(1), reference.group(2), reference.group(3), where));
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), node.size() == 1 ? where : where + "[" + i + "]", references);
      }
    } else if (node.isObject()) {
      boolean top = where.endsWith(": ");
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        collect(field.getValue(), where + (top ? "" : ".") + field.getKey(), references);
      }
    }
  }
}
