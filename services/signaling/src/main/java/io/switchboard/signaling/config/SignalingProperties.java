package io.switchboard.signaling.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code switchboard.signaling.*}, {@code switchboard.presence.*} and {@code switchboard.placement.url};
 * documented in application.yaml.
 */
@ConfigurationProperties("switchboard")
@Validated
public record SignalingProperties(@DefaultValue Signaling signaling, @DefaultValue Placement placement,
    @DefaultValue Presence presence) {

  /** Presence events to Kafka (docs/events.md). */
  public record Presence(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("100000") @Min(1) int queueCapacity,
      @DefaultValue("1h") @NotNull Duration deliveryTimeout,
      @DefaultValue("10s") @NotNull Duration unansweredAfter) {

    public Presence {
      if (unansweredAfter != null && unansweredAfter.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("switchboard.presence.unanswered-after is " + unansweredAfter
            + ": it must be at least 1s (the pod looks at Kafka's answers once a second)");
      }
    }
  }


  public record Signaling(
      @DefaultValue("") String podId,
      @DefaultValue("65536") @Min(1024) int maxFrameBytes,
      @DefaultValue("50") @Min(1) int messagesPerSecond,
      @DefaultValue("200") @Min(1) int messageBurst,
      @DefaultValue("*") List<String> allowedOrigins,
      Boolean requireIdentity,
      @DefaultValue("") String identitySecret,
      @DefaultValue("5s") @NotNull Duration sendTimeLimit,
      @DefaultValue("1048576") @Min(1024) int sendBufferBytes,
      @DefaultValue("10s") @NotNull Duration kmsRequestTimeout,
      @DefaultValue("4") @Min(1) @Max(64) int kmsSessionsPerNode,
      @DefaultValue("64") @Min(1) int kmsMaxInFlightPerNode,
      @DefaultValue("10s") @NotNull Duration kmsWarmupTimeout,
      @DefaultValue("10s") @NotNull Duration kmsWarmupRefresh,
      @DefaultValue("200") @Min(1) @Max(10_000) int kmsWarmupRehearsals,
      @DefaultValue("10") @Min(0) @Max(100) int joinRehearsalRooms,
      @DefaultValue("2") @Min(1) int expectedParticipants,
      @DefaultValue("100") @Min(0) int maxOpenRoomsPerClient,
      @DefaultValue("15s") @NotNull Duration resumeGrace,
      @DefaultValue("2s") @NotNull Duration heartbeatInterval,
      @DefaultValue("10s") @NotNull Duration heartbeatTimeout,
      @DefaultValue("5s") @NotNull Duration shutdownDrain,
      @DefaultValue("60s") @NotNull Duration sweepInterval,
      @DefaultValue @NotNull Room room,
      @DefaultValue @NotNull Ice ice) {

    public Signaling {
      if (sweepInterval != null && sweepInterval.compareTo(Duration.ofSeconds(30)) < 0) {
        throw new IllegalArgumentException("switchboard.signaling.sweep-interval is " + sweepInterval
            + ": it must be at least 30s (a sweep looks at a room twice, 20s apart)");
      }
    }
  }

  /** Browser ICE candidates: those naming these ranges (CIDR) never reach KMS, besides the built-in ones. */
  public record Ice(@DefaultValue List<String> blockedRanges) {}

  /** What every room allows, until join-token grants narrow it per participant. */
  public record Room(
      @DefaultValue("100") @Min(1) int maxParticipants,
      @DefaultValue("true") boolean mayPublish,
      @DefaultValue("true") boolean mayRecord,
      @DefaultValue("file:///var/lib/switchboard/recordings/{room}-{name}-{time}.webm") @NotNull String recordingUri) {}

  public record Placement(@DefaultValue("http://127.0.0.1:8090") @NotNull URI url) {}
}
