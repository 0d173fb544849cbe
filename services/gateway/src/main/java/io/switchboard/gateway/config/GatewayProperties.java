package io.switchboard.gateway.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** {@code switchboard.gateway.*}; every key is documented in application.yaml. */
@ConfigurationProperties("switchboard.gateway")
@Validated
public record GatewayProperties(
    @DefaultValue("open") @NotNull Mode mode,
    @DefaultValue("http://127.0.0.1:8090") @NotNull URI placementUrl,
    @DefaultValue("http://127.0.0.1:8092") @NotNull URI stateUrl,
    @DefaultValue List<@NotNull @Size(min = MIN_API_KEY, message = "an API key must be at least " + MIN_API_KEY
        + " characters, so that it cannot be guessed (e.g. openssl rand -hex 24)") String> apiKeys,
    @DefaultValue("") String identitySecret,
    @DefaultValue("*") List<String> allowedOrigins,
    @DefaultValue Tokens tokens,
    @DefaultValue Limits limits,
    @DefaultValue KeepAlive keepAlive,
    @DefaultValue Sticky sticky,
    @DefaultValue Timeouts timeouts,
    @DefaultValue("5s") @NotNull Duration shutdownDrain) {

  public GatewayProperties {
    if (mode == Mode.SECURE && (identitySecret == null || identitySecret.isEmpty())) {
      throw new IllegalArgumentException("switchboard.gateway.mode=secure needs switchboard.gateway.identity-secret"
          + " (at least 32 bytes, e.g. openssl rand -base64 48; the signaling pods' switchboard.signaling.identity-secret"
          + " must be the same): without it a pod cannot tell the sockets this gateway admitted from anyone else's");
    }
  }

  /** The shortest {@code api-keys} entry accepted (the chart's values schema asks the same). */
  public static final int MIN_API_KEY = 16;

  /** The discovery service id of the signaling pods. */
  public static final String SIGNALING = "signaling";

  public enum Mode {
    /** Anyone may join any room under any name: the Kurento tutorial client works unchanged. */
    OPEN,
    /** A join token is required; the pod enforces its room, identity and grants. */
    SECURE
  }

  /**
   * Join tokens (JWT). Verified with {@code secret} (HS256) when set, else with the keys at
   * {@code jwks-uri} (RS256); issued by {@code POST /api/tokens} with {@code secret} only.
   */
  public record Tokens(
      @DefaultValue("") String secret,
      URI jwksUri,
      @DefaultValue("") String issuer,
      @DefaultValue("") String audience,
      @DefaultValue("24h") @NotNull Duration maxTtl,
      @DefaultValue("30s") @NotNull Duration clockSkew) {}

  /** Per client address, shared by every gateway replica through Redis. */
  public record Limits(
      @DefaultValue("50") @Min(1) int connectionsPerSecond,
      @DefaultValue("500") @Min(1) int connectionBurst,
      @DefaultValue("1000") @Min(1) int socketsPerAddress,
      @DefaultValue("2m") @NotNull Duration socketLease,
      @DefaultValue("false") boolean trustForwardedFor,
      @DefaultValue("20") @Min(1) int apiRequestsPerSecond,
      @DefaultValue("200") @Min(1) int apiBurst) {}

  /**
   * Pings keep idle sockets open through load balancers; a socket silent this long is closed. A
   * pod that has not completed its WebSocket handshake within {@code pod-handshake-timeout} is
   * given up on (the client is told to retry).
   */
  public record KeepAlive(
      @DefaultValue("25s") @NotNull Duration pingInterval,
      @DefaultValue("75s") @NotNull Duration idleTimeout,
      @DefaultValue("10s") @NotNull Duration podHandshakeTimeout) {}

  /**
   * How long the gateway waits: for a client to send a request's body ({@code request}: from its
   * headers to its last byte; {@code read}: between two reads of it) and for placement or state to
   * start answering one on {@code /api} ({@code api-response}; the state's change stream, once
   * started, runs on). An upgraded WebSocket is not a request being read: neither cuts it.
   */
  public record Timeouts(
      @DefaultValue("10s") @NotNull Duration request,
      @DefaultValue("5s") @NotNull Duration read,
      @DefaultValue("10s") @NotNull Duration apiResponse) {

    public Timeouts {
      for (Duration value : new Duration[] {request, read, apiResponse}) {
        if (value != null && (value.isNegative() || value.isZero())) {
          throw new IllegalArgumentException("switchboard.gateway.timeouts.* must be positive durations (e.g. 10s), not "
              + value);
        }
      }
    }
  }

  /** The cookie that brings a client without a room back to its pod. */
  public record Sticky(
      @DefaultValue("SB_POD") @NotNull String cookie,
      @DefaultValue("12h") @NotNull Duration maxAge) {}
}
