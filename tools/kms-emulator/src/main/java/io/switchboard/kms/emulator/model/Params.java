package io.switchboard.kms.emulator.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.kms.emulator.rpc.KmsException;
import java.util.Optional;
import java.util.Set;

/**
 * Typed access to {@code operationParams} / {@code constructorParams}, failing with KMS's own
 * marshalling errors (40001, "'x' parameter should be a string") when a value is missing or of the
 * wrong type.
 */
public final class Params {

  private final ObjectNode node;
  private final String section;

  private Params(ObjectNode node, String section) {
    this.node = node;
    this.section = section;
  }

  /** {@code node} may be null: the section was left out. */
  public static Params of(JsonNode node, String section) {
    return new Params(node instanceof ObjectNode o ? o : null, section);
  }

  public boolean present() {
    return node != null;
  }

  public int size() {
    return node == null ? 0 : node.size();
  }

  /** Operations that take arguments need the section itself: 40001 "'operationParams' is required". */
  public Params required() {
    if (node == null) {
      throw KmsException.marshall("'" + section + "' is required");
    }
    return this;
  }

  public String string(String name) {
    JsonNode v = value(name);
    if (v == null || !v.isTextual()) {
      throw typeError(name, "a string");
    }
    return v.asText();
  }

  public Optional<String> optionalString(String name) {
    return has(name) ? Optional.of(string(name)) : Optional.empty();
  }

  public int integer(String name) {
    JsonNode v = value(name);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw typeError(name, "a integer");
    }
    return v.asInt();
  }

  public Optional<Integer> optionalInteger(String name) {
    return has(name) ? Optional.of(integer(name)) : Optional.empty();
  }

  public long longValue(String name) {
    JsonNode v = value(name);
    if (v == null || !v.isIntegralNumber()) {
      throw typeError(name, "a integer");
    }
    return v.asLong();
  }

  public double number(String name) {
    JsonNode v = value(name);
    if (v == null || !v.isNumber()) {
      throw typeError(name, "a float");
    }
    return v.asDouble();
  }

  public boolean bool(String name) {
    JsonNode v = value(name);
    if (v == null || !v.isBoolean()) {
      throw typeError(name, "a boolean");
    }
    return v.asBoolean();
  }

  public Optional<Boolean> optionalBool(String name) {
    return has(name) ? Optional.of(bool(name)) : Optional.empty();
  }

  public ObjectNode object(String name) {
    JsonNode v = value(name);
    if (!(v instanceof ObjectNode o)) {
      throw typeError(name, "a object");
    }
    return o;
  }

  public Optional<ObjectNode> optionalObject(String name) {
    return has(name) ? Optional.of(object(name)) : Optional.empty();
  }

  /** An enum value such as MediaType; KMS names the enum type in its error. */
  public Optional<String> optionalEnum(String name, String enumType, Set<String> allowed) {
    if (!has(name)) {
      return Optional.empty();
    }
    String v = string(name);
    if (!allowed.contains(v)) {
      throw KmsException.marshall("Invalid value for '" + enumType + "'");
    }
    return Optional.of(v);
  }

  public boolean has(String name) {
    JsonNode v = value(name);
    return v != null && !v.isNull();
  }

  private JsonNode value(String name) {
    return node == null ? null : node.get(name);
  }

  private static KmsException typeError(String name, String kind) {
    return KmsException.marshall("'" + name + "' parameter should be " + kind);
  }
}
