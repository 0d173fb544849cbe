package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HCL2 files parsed by HashiCorp's own parser: npm's {@code @cdktf/hcl2json} (the hcl library in
 * WebAssembly), run with node by tests/delivery/node/hcl2json.mjs. Each file comes back as JSON in
 * hcl2json's shape: blocks are arrays of bodies, expressions are {@code "${...}"} strings.
 */
final class HclParser {

  static final Path NODE_TOOLS = Repository.path("tests/delivery/node");
  private static final ObjectMapper JSON = new ObjectMapper();

  private HclParser() {}

  /** Every file as JSON, in the order given; fails naming the file, line and column of a syntax error. */
  static Map<Path, JsonNode> parse(List<Path> files) {
    requireInstalled();
    try {
      Path target = Files.createDirectories(Repository.path("tests/delivery/target"));
      Path out = Files.createTempFile(target, "hcl2json-", ".json");
      try {
        List<String> command = new ArrayList<>(List.of("node", NODE_TOOLS.resolve("hcl2json.mjs").toString(),
            out.toString()));
        files.forEach(file -> command.add(file.toString()));
        Docker.Result parsed = run(command);
        if (parsed.exitCode() != 0) {
          throw new AssertionError("not valid HCL2 (@cdktf/hcl2json):\n" + parsed.output());
        }
        JsonNode all = JSON.readTree(out.toFile());
        Map<Path, JsonNode> byFile = new LinkedHashMap<>();
        files.forEach(file -> byFile.put(file, all.path(file.toString())));
        return byFile;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails, never skips: without the parser nothing about terraform/ can be checked. */
  private static void requireInstalled() {
    if (!Files.isDirectory(NODE_TOOLS.resolve("node_modules/@cdktf/hcl2json"))) {
      throw new AssertionError("the HCL2 parser is not installed in tests/delivery/node/node_modules: "
          + "run: npm ci --prefix tests/delivery/node (.ci/run does it)");
    }
  }

  private static Docker.Result run(List<String> command) {
    try {
      return Docker.exec(Duration.ofMinutes(2), command.toArray(String[]::new));
    } catch (IllegalStateException noNode) {
      throw new AssertionError("node is missing: install Debian's nodejs and npm (.ci/run does)", noNode);
    }
  }
}
