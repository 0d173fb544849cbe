package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of Go's text/template that deploy/argocd's ApplicationSet uses, evaluated as ArgoCD does
 * with goTemplate and missingkey=error: {@code {{ .key }}}, {@code {{ if .key }} … {{ end }}} and the
 * {@code -} trim markers. Anything else is refused, so that a template this cannot evaluate fails
 * the test instead of being checked wrongly. (No Go or ArgoCD runs on these machines.)
 */
final class GoTemplate {

  private static final Pattern ACTION = Pattern.compile("\\{\\{(-?)\\s*(.*?)\\s*(-?)}}", Pattern.DOTALL);
  private static final Pattern FIELD = Pattern.compile("\\.([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern IF = Pattern.compile("if\\s+\\.([A-Za-z_][A-Za-z0-9_]*)");

  private GoTemplate() {}

  static String render(String template, Map<String, JsonNode> parameters) {
    StringBuilder out = new StringBuilder();
    Deque<Boolean> emitting = new ArrayDeque<>();
    emitting.push(true);
    Matcher m = ACTION.matcher(template);
    int at = 0;
    boolean trimNext = false;
    while (m.find()) {
      String text = template.substring(at, m.start());
      if (trimNext) {
        text = text.stripLeading();
      }
      if (!m.group(1).isEmpty()) {
        text = text.stripTrailing();
      }
      if (emitting.peek()) {
        out.append(text);
      }
      String action = m.group(2);
      Matcher field = FIELD.matcher(action);
      Matcher condition = IF.matcher(action);
      if (field.matches()) {
        if (emitting.peek()) {
          out.append(value(parameters, field.group(1)).asText());
        }
      } else if (condition.matches()) {
        emitting.push(emitting.peek() && truthy(value(parameters, condition.group(1))));
      } else if (action.equals("end") && emitting.size() > 1) {
        emitting.pop();
      } else {
        throw new IllegalArgumentException("{{ " + action + " }}: a template action this check does not evaluate");
      }
      trimNext = !m.group(3).isEmpty();
      at = m.end();
    }
    if (emitting.size() != 1) {
      throw new IllegalArgumentException("an {{ if }} without its {{ end }}");
    }
    String rest = template.substring(at);
    out.append(trimNext ? rest.stripLeading() : rest);
    return out.toString();
  }

  private static JsonNode value(Map<String, JsonNode> parameters, String key) {
    JsonNode value = parameters.get(key);
    if (value == null) {
      throw new IllegalArgumentException("map has no entry for key \"" + key + "\" (missingkey=error)");
    }
    return value;
  }

  private static boolean truthy(JsonNode value) {
    return !(value.isNull() || (value.isBoolean() && !value.asBoolean())
        || (value.isTextual() && value.asText().isEmpty()) || (value.isNumber() && value.asDouble() == 0)
        || (value.isContainerNode() && value.isEmpty()));
  }
}
