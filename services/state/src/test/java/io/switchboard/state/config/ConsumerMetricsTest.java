package io.switchboard.state.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.MicrometerConsumerListener;

/** The consumers' own metrics, looked over every switchboard.state.kafka-metrics-refresh. */
class ConsumerMetricsTest {

  @Test
  void aMetricTheConsumerGainsLaterIsRegisteredAtTheNextRefreshAndRemovedWithTheConsumer() {
    Map<MetricName, Metric> metrics = new ConcurrentHashMap<>();
    MockConsumer<String, String> consumer = new MockConsumer<>("earliest") {
      @Override
      public synchronized Map<MetricName, ? extends Metric> metrics() {
        return metrics;
      }
    };
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MicrometerConsumerListener<String, String> listener =
        StateConfiguration.consumerMetrics(registry, Duration.ofMillis(200));
    listener.consumerAdded("state-0", consumer);

    // A partition assigned after the consumer was bound: its lag is a metric the consumer gains.
    MetricName lag = new MetricName("records-lag", "consumer-fetch-manager-metrics", "",
        Map.of("client-id", "state-0", "topic", "switchboard.presence.v1", "partition", "0"));
    metrics.put(lag, metric(lag, 7.0));
    // Micrometer's own refresh is a minute: seconds mean the configured one is used.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(registry.find("kafka.consumer.fetch.manager.records.lag").tag("partition", "0").gauge())
            .isNotNull().extracting(gauge -> gauge.value()).isEqualTo(7.0));

    listener.consumerRemoved("state-0", consumer);
    assertThat(registry.find("kafka.consumer.fetch.manager.records.lag").gauge()).isNull();
  }

  private static Metric metric(MetricName name, double value) {
    return new Metric() {
      @Override
      public MetricName metricName() {
        return name;
      }

      @Override
      public Object metricValue() {
        return value;
      }
    };
  }
}
