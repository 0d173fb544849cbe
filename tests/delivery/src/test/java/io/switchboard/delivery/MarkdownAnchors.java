package io.switchboard.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The anchors GitHub gives a Markdown file's headings ({@code #alert-switchboardgatewaydown}). */
final class MarkdownAnchors {

  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");
  private static final Pattern LINK = Pattern.compile("\\[([^]]*)]\\([^)]*\\)");

  private MarkdownAnchors() {}

  static Set<String> of(Path markdown) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    try {
      for (String line : Files.readAllLines(markdown)) {
        if (line.startsWith("```")) {
          fenced = !fenced;
          continue;
        }
        Matcher heading = HEADING.matcher(line);
        if (!fenced && heading.matches()) {
          String slug = slug(heading.group(1));
          int n = seen.merge(slug, 1, Integer::sum) - 1;
          anchors.add(n == 0 ? slug : slug + "-" + n);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return anchors;
  }

  /** As GitHub slugs a heading: link text only, lower case, punctuation dropped, spaces to hyphens. */
  static String slug(String heading) {
    String text = LINK.matcher(heading).replaceAll("$1");
    return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "").replace(' ', '-');
  }
}
