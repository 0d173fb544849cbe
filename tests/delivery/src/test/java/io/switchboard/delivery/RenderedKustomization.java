package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.switchboard.delivery.RenderedChart.Manifest;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code kubectl kustomize DIR} renders (the real kustomize, built into kubectl; no cluster
 * needed), each document parsed strictly into the Kubernetes model, or kept as a tree when it is a
 * custom resource the model has no type for (ExternalSecret): those are checked by their shape.
 * Fails, never skips, without a kubectl whose kustomize is v5 or later.
 */
final class RenderedKustomization {

  private static final Map<Path, RenderedKustomization> RENDERED = new ConcurrentHashMap<>();
  private static final AtomicBoolean KUSTOMIZE_CHECKED = new AtomicBoolean();

  private final Path directory;
  private final String yaml;
  private final List<Manifest> manifests = new ArrayList<>();
  private final List<JsonNode> customResources = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();

  private RenderedKustomization(Path directory) {
    this.directory = directory;
    this.yaml = kustomize(directory);
    for (String document : yaml.split("(?m)^---\\s*$")) {
      parse(document);
    }
  }

  /** The directory rendered by kubectl kustomize (cached); fails with kustomize's message. */
  static RenderedKustomization of(Path directory) {
    return RENDERED.computeIfAbsent(directory.toAbsolutePath().normalize(), RenderedKustomization::new);
  }

  /** kubectl kustomize's output, uncached; an AssertionError with its message when it fails. */
  static String kustomize(Path directory) {
    requireKustomize5();
    Output result = kubectl("kustomize", directory.toString());
    if (result.exitCode() != 0) {
      throw new AssertionError("kubectl kustomize " + directory + " failed:\n" + result.errors());
    }
    return result.yaml();
  }

  /**
   * The overlays use kustomize 5's components, labels and replacements: an older kubectl (Debian's
   * kubernetes-client is 1.20, with kustomize 2) would fail them with puzzling messages.
   */
  private static void requireKustomize5() {
    if (KUSTOMIZE_CHECKED.get()) {
      return;
    }
    String version = kubectl("version", "--client").yaml();
    Matcher m = Pattern.compile("Kustomize Version: v(\\d+)").matcher(version);
    if (!m.find() || Integer.parseInt(m.group(1)) < 5) {
      throw new AssertionError("kubectl's kustomize is older than v5 (kubectl 1.27 or later is needed):\n" + version);
    }
    KUSTOMIZE_CHECKED.set(true);
  }

  /** What kubectl wrote: the YAML on stdout, its warnings and errors on stderr, kept apart. */
  private record Output(int exitCode, String yaml, String errors) {}

  private static Output kubectl(String... arguments) {
    String[] command = new String[arguments.length + 1];
    command[0] = "kubectl";
    System.arraycopy(arguments, 0, command, 1, arguments.length);
    try {
      Path errors = Files.createTempFile("kubectl", ".stderr");
      try {
        Process process = new ProcessBuilder(command).redirectError(errors.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          throw new AssertionError(String.join(" ", command) + " did not end within a minute");
        }
        return new Output(process.exitValue(), yaml, Files.readString(errors));
      } finally {
        Files.deleteIfExists(errors);
      }
    } catch (IOException missing) {
      throw new AssertionError("kubectl cannot be run: it renders the kustomize overlays (1.27 or later: the"
          + " kubernetes apt repository pkgs.k8s.io, or the release binary from dl.k8s.io): " + missing.getMessage(),
          missing);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void parse(String document) {
    JsonNode tree;
    try {
      tree = StrictKubernetesModel.YAML.readTree(document);
    } catch (IOException e) {
      throw new UncheckedIOException("kubectl kustomize " + directory + " wrote a document that is not YAML", e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull() || tree.isEmpty()) {
      return;
    }
    String source = "kustomize " + RenderedChart.REPOSITORY.relativize(directory);
    if (StrictKubernetesModel.models(tree)) {
      StrictKubernetesModel.Parsed parsed = StrictKubernetesModel.parse(tree, source);
      manifests.add(new Manifest(source, parsed.object()));
      problems.addAll(parsed.problems());
    } else {
      customResources.add(tree);
    }
  }

  Path directory() {
    return directory;
  }

  /** The whole output, as kubectl printed it. */
  String yaml() {
    return yaml;
  }

  /** Every document of a kind the Kubernetes model has a type for. */
  List<Manifest> manifests() {
    return manifests;
  }

  /** Every other document (custom resources), as trees. */
  List<JsonNode> customResources() {
    return customResources;
  }

  /** Wrongly typed values and unknown fields in the modelled documents. */
  List<String> problems() {
    return problems;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return manifests.stream().map(Manifest::object).filter(type::isInstance).map(type::cast).toList();
  }

  List<JsonNode> customResources(String kind) {
    return customResources.stream().filter(r -> r.path("kind").asText().equals(kind)).toList();
  }

  @Override
  public String toString() {
    return RenderedChart.REPOSITORY.relativize(directory).toString();
  }
}
