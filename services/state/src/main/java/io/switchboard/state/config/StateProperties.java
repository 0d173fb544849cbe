package io.switchboard.state.config;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** {@code switchboard.state.*}; documented in application.yaml. */
@ConfigurationProperties("switchboard.state")
@Validated
public record StateProperties(
    @DefaultValue("state") String groupId,
    @DefaultValue("1") @Min(1) int concurrency,
    @DefaultValue("12") @Min(1) int partitions,
    @DefaultValue("30m") java.time.Duration streamTimeout,
    @DefaultValue("1000") @Min(1) int streamMaxSubscribers,
    @DefaultValue("50") @Min(1) int streamMaxSubscribersPerAddress,
    @DefaultValue("1000") @Min(1) int streamQueue,
    @DefaultValue("4") @Min(1) int streamSenders,
    @DefaultValue("5m") java.time.Duration roomExpiry,
    @DefaultValue("60s") java.time.Duration kafkaMetricsRefresh) {

  public StateProperties {
    if (kafkaMetricsRefresh.isNegative() || kafkaMetricsRefresh.isZero()) {
      throw new IllegalArgumentException("switchboard.state.kafka-metrics-refresh is " + kafkaMetricsRefresh
          + ": it must be longer than 0");
    }
    if (roomExpiry.isNegative() || (!roomExpiry.isZero() && roomExpiry.compareTo(java.time.Duration.ofMinutes(3)) < 0)) {
      throw new IllegalArgumentException("switchboard.state.room-expiry is " + roomExpiry + ": it must be 0 (off) or at"
          + " least 3m, three signaling sweeps (a live room is heard of once a minute)");
    }
  }
}
