package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reproducible applies: the roots (envs/*, bootstrap) pin Terraform and every provider to a minor
 * series ("~>"), every registry module is pinned to one exact version, and each environment keeps
 * its state in an encrypted S3 backend with locking (the native lock file or a DynamoDB table).
 * Reusable modules under modules/ only state lower bounds, as terraform-aws-modules do.
 */
final class TerraformVersionPins {

  private TerraformVersionPins() {}

  static List<String> problems(TerraformTree tree) {
    List<String> problems = new ArrayList<>();
    for (TerraformModule module : tree.modules()) {
      module.moduleCalls().forEach((name, call) -> {
        if (!TerraformTree.isLocalSource(call) && !call.path("version").asText().matches("\\d+\\.\\d+\\.\\d+")) {
          problems.add("%s: module.%s (%s) must pin an exact version, has %s".formatted(module, name,
              call.path("source").asText(), call.path("version")));
        }
      });
      if (module.name().startsWith("modules/")) {
        if (module.terraformBlocks().stream().noneMatch(block -> block.has("required_providers"))) {
          problems.add(module + ": declares no required_providers (versions.tf)");
        }
        continue;
      }
      root(module, problems);
    }
    return problems;
  }

  private static void root(TerraformModule module, List<String> problems) {
    List<JsonNode> blocks = module.terraformBlocks();
    String version = blocks.stream().map(block -> block.path("required_version").asText()).filter(v -> !v.isEmpty())
        .findFirst().orElse("");
    if (!version.startsWith("~>")) {
      problems.add("%s: required_version must be pinned with ~>, is \"%s\"".formatted(module, version));
    }
    int providers = 0;
    for (JsonNode block : blocks) {
      for (JsonNode required : block.path("required_providers")) {
        for (Map.Entry<String, JsonNode> provider : (Iterable<Map.Entry<String, JsonNode>>) required::fields) {
          providers++;
          if (!provider.getValue().path("version").asText().startsWith("~>")) {
            problems.add("%s: provider %s must be pinned with ~>, is %s".formatted(module, provider.getKey(),
                provider.getValue().path("version")));
          }
        }
      }
    }
    if (providers == 0) {
      problems.add(module + ": declares no required_providers");
    }
    if (module.name().startsWith("envs/")) {
      backend(module, blocks, problems);
    }
  }

  private static void backend(TerraformModule module, List<JsonNode> blocks, List<String> problems) {
    JsonNode s3 = blocks.stream().map(block -> TerraformModule.body(block.path("backend").path("s3")))
        .filter(backend -> !backend.isMissingNode()).findFirst().orElse(null);
    if (s3 == null) {
      problems.add(module + ": keeps its state locally; it needs the S3 backend (backend.tf)");
      return;
    }
    if (!s3.path("encrypt").asBoolean(false)) {
      problems.add(module + ": the S3 backend must set encrypt = true");
    }
    if (!s3.path("use_lockfile").asBoolean(false) && s3.path("dynamodb_table").asText().isEmpty()) {
      problems.add(module + ": the S3 backend must lock the state (use_lockfile = true or a dynamodb_table)");
    }
    if (!s3.path("key").asText().contains(module.dir().getFileName().toString())) {
      problems.add(module + ": the state key " + s3.path("key") + " must name the environment, or two share a state");
    }
  }
}
