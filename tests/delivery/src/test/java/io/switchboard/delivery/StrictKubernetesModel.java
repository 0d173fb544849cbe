package io.switchboard.delivery;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Rendered manifests parsed into fabric8's Kubernetes model as strictly as an API server would
 * take them: a kind the chart has no business rendering is refused, scalars are not coerced
 * ({@code replicas: "3"} or an unquoted number where a string belongs fail), and fields the model
 * does not know are reported. fabric8's types swallow unknown fields into
 * {@code additionalProperties} (a {@code @JsonAnySetter}), so FAIL_ON_UNKNOWN_PROPERTIES alone
 * catches nothing: {@link #unknownFields} walks the parsed graph instead.
 */
final class StrictKubernetesModel {

  /**
   * apiVersion/kind → model type: every kind the chart and the kustomize overlays render (the
   * overlays add their Namespace), nothing else.
   */
  private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.ofEntries(
      Map.entry("v1/ConfigMap", ConfigMap.class),
      Map.entry("v1/Namespace", Namespace.class),
      Map.entry("v1/Pod", Pod.class),
      Map.entry("v1/Secret", Secret.class),
      Map.entry("v1/Service", Service.class),
      Map.entry("v1/ServiceAccount", ServiceAccount.class),
      Map.entry("apps/v1/DaemonSet", DaemonSet.class),
      Map.entry("apps/v1/Deployment", Deployment.class),
      Map.entry("apps/v1/StatefulSet", StatefulSet.class),
      Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
      Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
      Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
      Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
      Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
      Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
      Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class),
      Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class));

  static final ObjectMapper YAML = strict(JsonMapper.builder(new YAMLFactory()).build());
  /** Jackson's defaults: to still get a model of a document the strict mapper refused. */
  private static final ObjectMapper LENIENT = JsonMapper.builder(new YAMLFactory()).build();

  private StrictKubernetesModel() {}

  private static ObjectMapper strict(ObjectMapper mapper) {
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    mapper.enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
    // The API server refuses 8080 where a string belongs and "3" where an integer does.
    mapper.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    for (LogicalType number : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
      mapper.coercionConfigFor(number).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    }
    return mapper;
  }

  /** Whether the model has a type for this document's apiVersion and kind. */
  static boolean models(JsonNode document) {
    return TYPES.containsKey(document.path("apiVersion").asText() + "/" + document.path("kind").asText());
  }

  /** A rendered document as a model object, and what a strict reading found wrong with it. */
  record Parsed(HasMetadata object, List<String> problems) {}

  /**
   * The model object of one rendered document. A wrongly typed scalar is a problem, and the object
   * is then read leniently so that the other checks still see it; a kind without a model fails.
   */
  static Parsed parse(JsonNode document, String source) {
    String key = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
    Class<? extends HasMetadata> type = TYPES.get(key);
    if (type == null) {
      throw new IllegalArgumentException(source + ": no Kubernetes model for " + key
          + " (a kind the chart is not expected to render, or a misspelt apiVersion/kind)");
    }
    HasMetadata object;
    List<String> problems = new ArrayList<>();
    try {
      object = YAML.treeToValue(document, type);
    } catch (Exception strict) {
      problems.add(source + ": not a valid " + key + ": " + strict.getMessage());
      try {
        object = LENIENT.treeToValue(document, type);
      } catch (Exception e) {
        throw new IllegalArgumentException(source + ": not a " + key + " at all: " + e.getMessage(), e);
      }
    }
    problems.addAll(unknownFields(object, source + " " + key.substring(key.lastIndexOf('/') + 1) + "/"
        + object.getMetadata().getName()));
    return new Parsed(object, problems);
  }

  /** Every place in the object graph where the model kept fields it does not know, by JSON path. */
  private static List<String> unknownFields(Object model, String root) {
    List<String> found = new ArrayList<>();
    walk(model, root, found, 0);
    return found;
  }

  private static void walk(Object value, String path, List<String> found, int depth) {
    if (value == null || depth > 64) {
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        walk(item, path + "[" + i++ + "]", found, depth + 1);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "." + k, found, depth + 1));
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())) {
        continue;
      }
      if (getter.isAnnotationPresent(JsonAnyGetter.class)) {
        if (invoke(getter, value) instanceof Map<?, ?> extra && !extra.isEmpty()) {
          found.add(path + ": unknown field(s) " + extra.keySet());
        }
      } else if (getter.isAnnotationPresent(JsonProperty.class)) {
        walk(invoke(getter, value), path + "." + getter.getAnnotation(JsonProperty.class).value(), found, depth + 1);
      }
    }
  }

  private static Object invoke(Method getter, Object target) {
    try {
      return getter.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + getter, e);
    }
  }
}
