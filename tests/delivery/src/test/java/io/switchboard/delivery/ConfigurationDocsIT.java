package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md documents every {@code switchboard.*} key the services bind, each in a row of
 * a {@code | key | default | meaning |} table, with the default the service really has: the keys
 * and defaults come from each service's configuration metadata (written from its
 * {@code @ConfigurationProperties} records at build time), so a key added, renamed or given a new
 * default in code without the docs fails here, naming it.
 */
class ConfigurationDocsIT {

  static final List<String> SERVICES = List.of("gateway", "placement", "signaling", "state");
  static final Path OPERATIONS = Repository.path("docs/operations.md");
  /** A table row whose first cell is one key in backticks: the key, and the default cell. */
  static final Pattern ROW = Pattern.compile("^\\|\\s*`(switchboard\\.[a-z0-9.-]+)`\\s*\\|([^|]*)\\|.*\\|\\s*$");

  @Test
  void everyKeyTheServicesBindHasARowWithItsDefault() throws IOException {
    Map<String, String> documented = documentedKeys(Files.readAllLines(OPERATIONS));
    Map<String, String> bound = new TreeMap<>();
    Map<String, String> defaults = new TreeMap<>();
    for (String service : SERVICES) {
      SpringConfigurationKeys keys = SpringConfigurationKeys.of(Repository.root(), service);
      keys.keys().stream().filter(k -> k.startsWith("switchboard.")).forEach(k -> bound.merge(k, service, (a, b) -> a + ", " + b));
      defaults.putAll(keys.defaults());
    }
    assertThat(bound).as("keys the services bind (their configuration metadata)").hasSizeGreaterThan(80);

    List<String> missing = new ArrayList<>();
    List<String> wrongDefault = new ArrayList<>();
    bound.forEach((key, services) -> {
      String cell = documented.get(key);
      if (cell == null) {
        missing.add(key + " (" + services + ")");
      } else if (defaults.containsKey(key) && !statesDefault(cell, defaults.get(key))) {
        wrongDefault.add(key + ": the docs say \"" + cell + "\", " + services + " has \"" + defaults.get(key) + "\"");
      }
    });
    Set<String> stale = new TreeSet<>(documented.keySet());
    stale.removeAll(bound.keySet());

    SoftAssertions.assertSoftly(softly -> {
      softly.assertThat(missing).as("keys with no row in docs/operations.md (add one to the service's Configuration table)")
          .isEmpty();
      softly.assertThat(wrongDefault).as("defaults docs/operations.md states wrongly").isEmpty();
      softly.assertThat(stale).as("keys docs/operations.md documents that no service binds").isEmpty();
    });
  }

  @Test
  void aWrongOrMissingRowIsCaught() {
    Map<String, String> rows = documentedKeys(List.of("| key | default | meaning |", "|---|---|---|",
        "| `switchboard.a.b` | 10s (at least 1s) | x |", "| `switchboard.a.c` | empty: random | y |",
        "| `switchboard.a.d` | `open` | z |", "text `switchboard.a.e` in prose is no row"));
    assertThat(rows).containsOnlyKeys("switchboard.a.b", "switchboard.a.c", "switchboard.a.d");
    assertThat(statesDefault(rows.get("switchboard.a.b"), "10s")).isTrue();
    assertThat(statesDefault(rows.get("switchboard.a.b"), "1s")).isFalse();
    assertThat(statesDefault(rows.get("switchboard.a.c"), "")).isTrue();
    assertThat(statesDefault(rows.get("switchboard.a.c"), "random")).isFalse();
    assertThat(statesDefault(rows.get("switchboard.a.d"), "open")).isTrue();
    assertThat(statesDefault(rows.get("switchboard.a.d"), "")).isFalse();
    assertThat(statesDefault("1,000", "1000")).isTrue();
  }

  /** Key → default cell, from every row of the file whose first cell is one backticked key. */
  static Map<String, String> documentedKeys(List<String> lines) {
    Map<String, String> rows = new TreeMap<>();
    for (String line : lines) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        String before = rows.put(row.group(1), row.group(2).trim());
        assertThat(before).as(row.group(1) + " has two rows in docs/operations.md").isNull();
      }
    }
    return rows;
  }

  /**
   * Whether a default cell states this default: its first word (backticks and thousands
   * separators dropped) is the value; an empty default is stated as "empty…" or "not set…".
   */
  static boolean statesDefault(String cell, String value) {
    String text = cell.replace("`", "").trim();
    if (value.isEmpty()) {
      return text.startsWith("empty") || text.startsWith("not set");
    }
    String first = text.split("\\s+")[0].replaceAll("[:;,]$", "");
    return first.replaceAll("(?<=\\d),(?=\\d{3})", "").equals(value);
  }
}
