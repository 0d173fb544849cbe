package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code terraform validate} would say about the wiring, without downloading a provider:
 * every variable used is declared (and every declared one used), every local is defined, every
 * module argument is a variable of that module and every required variable is given, every module
 * output referenced exists, and each environment's terraform.tfvars.example sets only its variables and all the
 * required ones. Registry modules' own inputs are left to the workflow's validate (they cannot be
 * downloaded here).
 */
final class TerraformWiring {

  /** Arguments of a module block that are Terraform's, not the module's variables. */
  private static final Set<String> META_ARGUMENTS = Set.of("source", "version", "providers", "depends_on", "count",
      "for_each");

  private TerraformWiring() {}

  static List<String> problems(TerraformTree tree) {
    List<String> problems = new ArrayList<>();
    for (TerraformModule module : tree.modules()) {
      variables(module, problems);
      locals(module, problems);
      moduleCalls(tree, module, problems);
      example(module, problems);
    }
    return problems;
  }

  private static void variables(TerraformModule module, List<String> problems) {
    Map<String, JsonNode> declared = module.variables();
    Set<String> used = new TreeSet<>();
    for (TerraformModule.Reference reference : module.references()) {
      if (!reference.kind().equals("var")) {
        continue;
      }
      if (!declared.containsKey(reference.name())) {
        problems.add("%s: var.%s is not declared in its variables.tf (%s)".formatted(module, reference.name(),
            reference.where()));
      }
      if (!reference.insideVariableBlock()) {
        used.add(reference.name());
      }
    }
    declared.keySet().stream().filter(name -> !used.contains(name)).forEach(name -> problems.add(
        "%s: variable %s is declared but never used".formatted(module, name)));
  }

  private static void locals(TerraformModule module, List<String> problems) {
    Set<String> defined = module.locals().keySet();
    module.references().stream()
        .filter(reference -> reference.kind().equals("local") && !defined.contains(reference.name()))
        .forEach(reference -> problems.add("%s: local.%s is not defined in any locals block (%s)".formatted(module,
            reference.name(), reference.where())));
  }

  private static void moduleCalls(TerraformTree tree, TerraformModule module, List<String> problems) {
    Map<String, JsonNode> calls = module.moduleCalls();
    for (Map.Entry<String, JsonNode> call : calls.entrySet()) {
      if (!TerraformTree.isLocalSource(call.getValue())) {
        continue;
      }
      Optional<TerraformModule> target = tree.localSource(module, call.getValue());
      if (target.isEmpty()) {
        problems.add("%s: module.%s's source %s is not a Terraform module of this tree".formatted(module,
            call.getKey(), call.getValue().path("source").asText()));
        continue;
      }
      Map<String, JsonNode> variables = target.get().variables();
      Set<String> given = new TreeSet<>();
      call.getValue().fieldNames().forEachRemaining(argument -> {
        if (META_ARGUMENTS.contains(argument)) {
          return;
        }
        given.add(argument);
        if (!variables.containsKey(argument)) {
          problems.add("%s: module.%s passes %s, which is not a variable of %s".formatted(module, call.getKey(),
              argument, target.get()));
        }
      });
      variables.keySet().stream()
          .filter(variable -> !target.get().declaresDefault(variable) && !given.contains(variable))
          .forEach(variable -> problems.add("%s: module.%s does not pass %s, a required variable of %s"
              .formatted(module, call.getKey(), variable, target.get())));
    }
    for (TerraformModule.Reference reference : module.references()) {
      if (!reference.kind().equals("module")) {
        continue;
      }
      JsonNode call = calls.get(reference.name());
      if (call == null) {
        problems.add("%s: module.%s is referenced but not called here (%s)".formatted(module, reference.name(),
            reference.where()));
        continue;
      }
      Optional<TerraformModule> target = tree.localSource(module, call);
      if (target.isPresent() && reference.attribute() != null
          && !target.get().outputs().containsKey(reference.attribute())) {
        problems.add("%s: module.%s.%s is not an output of %s (%s)".formatted(module, reference.name(),
            reference.attribute(), target.get(), reference.where()));
      }
    }
  }

  private static void example(TerraformModule module, List<String> problems) {
    JsonNode example = module.exampleVariables();
    if (example.isMissingNode()) {
      return;
    }
    Map<String, JsonNode> variables = module.variables();
    example.fieldNames().forEachRemaining(name -> {
      if (!variables.containsKey(name)) {
        problems.add("%s: terraform.tfvars.example sets %s, which is not a variable".formatted(module, name));
      }
    });
    variables.keySet().stream().filter(name -> !module.declaresDefault(name) && !example.has(name))
        .forEach(name -> problems.add("%s: terraform.tfvars.example does not set %s, a required variable"
            .formatted(module, name)));
  }
}
