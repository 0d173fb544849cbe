package io.switchboard.placement.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code switchboard.placement.*}; every key is documented, with its default, in
 * {@code application.yaml}.
 */
@ConfigurationProperties("switchboard.placement")
@Validated
public record PlacementProperties(
    @DefaultValue List<URI> nodes,
    @DefaultValue("400") @Min(1) int defaultCapacity,
    @DefaultValue("least-loaded") @NotNull Strategy strategy,
    @DefaultValue("10s") @NotNull Duration staleAfter,
    @DefaultValue("2s") @NotNull Duration pollInterval,
    @DefaultValue("250ms") @NotNull Duration cpuSample,
    @DefaultValue("3s") @NotNull Duration requestTimeout,
    @DefaultValue("3") @Min(1) int failuresBeforeDown,
    @DefaultValue("60s") @NotNull Duration reservationTtl,
    @DefaultValue("2") @Min(1) @Max(1000) int defaultExpectedParticipants,
    @DefaultValue("5s") @NotNull Duration retryAfter,
    @DefaultValue @Valid Kubernetes kubernetes) {

  /** The node-selection policy. */
  public enum Strategy {
    LEAST_LOADED,
    POWER_OF_TWO
  }

  /** Discovery of KMS pods through the Kubernetes API. */
  public record Kubernetes(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("") String namespace,
      @DefaultValue("app=kms") @NotBlank String labelSelector,
      @DefaultValue("8888") @Min(1) @Max(65535) int port,
      @DefaultValue("/kurento") @NotBlank String path,
      @DefaultValue("switchboard.io/kms-capacity") @NotBlank String capacityAnnotation) {}
}
