package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gitops workflow's tag bump (.github/scripts/bump-image-tags.mjs) run for real on copies of
 * kustomize overlays: every real one under deploy/kustomize/overlays, and a fixture in the same shape
 * written in every style a hand-edited kustomization has (comments, quoting, key order, an image that is
 * not Switchboard's). It must change exactly the Switchboard images' tags, line for line, and
 * {@code kubectl kustomize} must render the result with those tags and nothing else changed; a tag
 * images.yml does not push, or an overlay it cannot bump safely, is refused and changes nothing.
 */
class ImageTagBumpIT {

  static final Path SCRIPT = Repository.path(".github/scripts/bump-image-tags.mjs");
  static final Path FIXTURE = Repository.path("tests/delivery/src/test/resources/gitops");
  static final Path KUSTOMIZE = Repository.path("deploy/kustomize");
  static final Path WORK = Repository.path("tests/delivery/target/image-tag-bump");

  static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  static final Pattern SWITCHBOARD_IMAGE = Pattern.compile("^\\s*-?\\s*image: (\\S*/)?switchboard-[a-z-]+:.*$");

  /** A copy to bump (an overlay needs its base and components beside it), and the overlay in it. */
  record Overlay(String name, Path tree, String overlay) {
    Path copy() {
      return DirectoryCopy.of(tree, WORK.resolve(name.replaceAll("[^A-Za-z0-9]+", "-"))).resolve(overlay);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Overlay> overlays() throws IOException {
    List<Overlay> overlays = new ArrayList<>();
    overlays.add(new Overlay("fixture", FIXTURE, "overlays/dev"));
    Path real = KUSTOMIZE.resolve("overlays");
    if (Files.isDirectory(real)) {
      try (Stream<Path> dirs = Files.list(real)) {
        dirs.filter(Files::isDirectory).sorted()
            .forEach(dir -> overlays.add(new Overlay("deploy/kustomize/overlays/" + dir.getFileName(), KUSTOMIZE,
                "overlays/" + dir.getFileName())));
      }
    }
    return overlays.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void theBumpChangesExactlyTheSwitchboardImageTags(Overlay subject) throws IOException {
    Path overlay = subject.copy();
    Path kustomization = overlay.resolve("kustomization.yaml");
    List<String> before = Files.readAllLines(kustomization);
    String renderedBefore = render(overlay);

    Docker.Result bumped = bump(overlay, SHA);
    assertThat(bumped.exitCode()).as(bumped.output()).isZero();

    List<String> after = Files.readAllLines(kustomization);
    assertThat(after).as("line count").hasSameSizeAs(before);
    int changed = 0;
    for (int i = 0; i < before.size(); i++) {
      if (!before.get(i).equals(after.get(i))) {
        changed++;
        assertThat(after.get(i)).as("line %d changed from %s", i + 1, before.get(i))
            .matches("\\s*newTag: [\"']?" + SHA + "[\"']?( +#.*)?")
            .isEqualTo(before.get(i).replaceFirst("newTag: ([\"']?)[^\"'\\s#]+([\"']?)", "newTag: $1" + SHA + "$2"));
      }
    }
    assertThat(changed).as("the tag lines changed (every service image had an older tag)").isGreaterThanOrEqualTo(4);

    List<String> renderedLinesBefore = renderedBefore.lines().toList();
    List<String> renderedLinesAfter = render(overlay).lines().toList();
    assertThat(renderedLinesAfter).hasSameSizeAs(renderedLinesBefore);
    for (int i = 0; i < renderedLinesBefore.size(); i++) {
      String was = renderedLinesBefore.get(i);
      String is = renderedLinesAfter.get(i);
      if (SWITCHBOARD_IMAGE.matcher(was).matches()) {
        assertThat(is).as("rendered image").endsWith(":" + SHA).startsWith(was.substring(0, was.lastIndexOf(':')));
      } else {
        assertThat(is).as("rendered line %d (not a Switchboard image)", i + 1).isEqualTo(was);
      }
    }
  }

  @Test
  void bumpingAgainToTheSameTagChangesNothing() throws IOException {
    Path overlay = new Overlay("fixture again", FIXTURE, "overlays/dev").copy();
    assertThat(bump(overlay, "1.4.0").exitCode()).isZero();
    byte[] once = Files.readAllBytes(overlay.resolve("kustomization.yaml"));
    Docker.Result again = bump(overlay, "1.4.0");
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.output()).contains("switchboard-gateway already at 1.4.0");
    assertThat(overlay.resolve("kustomization.yaml")).hasBinaryContent(once);
  }

  @Test
  void aShaOfDigitsOnlyIsQuotedSoThatKustomizeReadsAString() throws IOException {
    Path overlay = new Overlay("fixture digits", FIXTURE, "overlays/dev").copy();
    String digits = "1234567890123456789012345678901234567890";
    assertThat(bump(overlay, digits).exitCode()).isZero();
    assertThat(Files.readString(overlay.resolve("kustomization.yaml")))
        .contains("newTag: \"" + digits + "\" # the last build of main");
    assertThat(render(overlay)).contains("switchboard-gateway:" + digits).contains("switchboard-state:" + digits);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"latest", "", "two words", "v1.2.3", "main", "0123abc", "1.2", "1.2.3;rm -rf /"})
  void aTagImagesYmlDoesNotPushIsRefusedAndChangesNothing(String tag) throws IOException {
    Path overlay = new Overlay("fixture refused tag", FIXTURE, "overlays/dev").copy();
    byte[] before = Files.readAllBytes(overlay.resolve("kustomization.yaml"));

    Docker.Result refused = bump(overlay, tag);

    assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
    assertThat(refused.output()).contains("refusing tag").contains("a full commit SHA").contains("nothing changed");
    assertThat(overlay.resolve("kustomization.yaml")).hasBinaryContent(before);
  }

  record Unbumpable(String what, String from, String to, String expected) {
    @Override
    public String toString() {
      return what;
    }
  }

  static Stream<Unbumpable> unbumpableOverlays() {
    return Stream.of(
        new Unbumpable("a service image missing", "- name: switchboard-state\n", "- name: switchboard-stat\n",
            "has no images: entry for switchboard-state"),
        new Unbumpable("an image without newTag", "  newTag: 0.1.0\n", "",
            "switchboard-state has no newTag to change"),
        new Unbumpable("an image pinned by digest", "  newTag: 0.1.0\n", "  newTag: 0.1.0\n  digest: sha256:"
            + "0".repeat(64) + "\n", "pins switchboard-state by digest"),
        new Unbumpable("no images list", "images:\n", "imagez:\n", "has no images: list"),
        new Unbumpable("invalid YAML", "images:\n", "images: [\n", "is not valid YAML"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unbumpableOverlays")
  void anOverlayItCannotBumpSafelyIsRefusedAndChangesNothing(Unbumpable broken) throws IOException {
    Path overlay = new Overlay("fixture " + broken.what(), FIXTURE, "overlays/dev").copy();
    Path kustomization = overlay.resolve("kustomization.yaml");
    String text = Files.readString(kustomization);
    assertThat(text).contains(broken.from());
    Files.writeString(kustomization, text.replaceFirst(Pattern.quote(broken.from()), broken.to()));
    byte[] before = Files.readAllBytes(kustomization);

    Docker.Result refused = bump(overlay, SHA);

    assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
    assertThat(refused.output()).contains(broken.expected()).contains("nothing changed");
    assertThat(kustomization).hasBinaryContent(before);
  }

  @Test
  void theGitopsWorkflowRunsThisScriptOnTheOverlayOfEachEnvironmentItOffers() {
    Workflow gitops = Workflow.readAll(Repository.path(".github")).stream()
        .filter(workflow -> workflow.fileName().equals("gitops.yml")).findFirst().orElseThrow();
    String runs = Workflow.steps(gitops.jobs().get("bump")).stream().map(step -> step.path("run").asText())
        .reduce("", String::concat);
    assertThat(runs).contains("node .github/scripts/bump-image-tags.mjs \"$overlay\" \"$TAG\"")
        .contains("overlay=\"deploy/kustomize/overlays/$ENVIRONMENT\"");

    List<String> environments = new ArrayList<>();
    gitops.on().path("workflow_dispatch").path("inputs").path("environment").path("options")
        .forEach(option -> environments.add(option.asText()));
    assertThat(environments).contains("dev", "staging", "prod");
    for (String environment : environments) {
      assertThat(KUSTOMIZE.resolve("overlays").resolve(environment).resolve("kustomization.yaml"))
          .as("the overlay gitops.yml bumps for %s", environment).isRegularFile();
    }
  }

  // ---- tools ------------------------------------------------------------------------------------

  private static Docker.Result bump(Path overlay, String tag) {
    if (!Files.isDirectory(Repository.path("tests/delivery/node/node_modules/yaml"))) {
      throw new AssertionError("the yaml package is not installed in tests/delivery/node/node_modules: "
          + "run: npm ci --prefix tests/delivery/node (.ci/run does it)");
    }
    try {
      return Docker.exec(Duration.ofMinutes(1), "node", SCRIPT.toString(), overlay.toString(), tag);
    } catch (IllegalStateException noNode) {
      throw new AssertionError("node is missing: install Debian's nodejs and npm (.ci/run does)", noNode);
    }
  }

  private static String render(Path overlay) {
    Docker.Result rendered;
    try {
      rendered = Docker.exec(Duration.ofMinutes(1), "kubectl", "kustomize", overlay.toString());
    } catch (IllegalStateException noKubectl) {
      throw new AssertionError("kubectl is missing: it renders the overlays (kubectl kustomize)", noKubectl);
    }
    assertThat(rendered.exitCode()).as("kubectl kustomize %s:\n%s", overlay, rendered.output()).isZero();
    return rendered.output();
  }
}
