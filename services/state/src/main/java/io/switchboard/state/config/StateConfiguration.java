package io.switchboard.state.config;

import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.presence.PoisonEventException;
import io.switchboard.presence.PresenceContract;
import io.switchboard.state.consumer.PresenceListener;
import io.switchboard.state.view.PresenceView;
import io.switchboard.state.view.RedisPresenceView;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.ExponentialBackOff;

/** Wires the consumer, its dead-letter path and the view. */
@Configuration(proxyBeanMethods = false)
class StateConfiguration {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  PresenceView presenceView(StringRedisTemplate redis) {
    return new RedisPresenceView(redis);
  }

  @Bean(destroyMethod = "close")
  io.switchboard.state.api.ChangeStream changeStream(
      org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory factory, StateProperties properties,
      MeterRegistry registry) {
    return new io.switchboard.state.api.ChangeStream((io.lettuce.core.RedisClient) factory.getRequiredNativeClient(),
        new io.switchboard.state.api.ChangeStream.Settings(properties.streamTimeout(), properties.streamMaxSubscribers(),
            properties.streamMaxSubscribersPerAddress(), properties.streamQueue(), properties.streamSenders()),
        registry);
  }

  @Bean
  PresenceListener presenceListener(PresenceView view, DeadLetterPublishingRecoverer deadLetters, Clock clock,
      MeterRegistry registry) {
    return new PresenceListener(view, deadLetters::accept, clock, registry);
  }

  @Bean
  io.switchboard.state.consumer.RoomExpiry roomExpiry(PresenceView view, PresenceListener listener,
      StateProperties properties, Clock clock, MeterRegistry registry) {
    return new io.switchboard.state.consumer.RoomExpiry(view, listener, properties.roomExpiry(), clock, registry);
  }

  /**
   * Publishes a record that cannot be read to the dead-letter topic, with the reason in Spring
   * Kafka's {@code kafka_dlt-exception-*} headers (the raw bytes of a value that was not a
   * CloudEvent at all), and waits for the broker to have it.
   */
  @Bean
  DeadLetterPublishingRecoverer deadLetters(KafkaTemplate<Object, Object> deadLetterTemplate) {
    return new DeadLetterPublishingRecoverer(deadLetterTemplate,
        (record, e) -> new TopicPartition(PresenceContract.DEAD_LETTER_TOPIC, -1));
  }

  @Bean(destroyMethod = "destroy")
  DefaultKafkaProducerFactory<Object, Object> deadLetterProducers(KafkaProperties kafka) {
    Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
    config.put("key.serializer", StringSerializer.class);
    config.putAll(PresenceContract.serializerConfig());
    Map<Class<?>, Serializer<?>> byType = new HashMap<>();
    byType.put(CloudEvent.class, newCloudEventSerializer());
    byType.put(byte[].class, new ByteArraySerializer());
    return new DefaultKafkaProducerFactory<>(config, null, new DelegatingByTypeSerializer(byType, true));
  }

  @Bean
  KafkaTemplate<Object, Object> deadLetterTemplate(DefaultKafkaProducerFactory<Object, Object> deadLetterProducers) {
    return new KafkaTemplate<>(deadLetterProducers);
  }

  /**
   * The topics, created if the broker does not have them (partitions: how far consumers scale).
   * An existing topic is left exactly as it is: declaring it to Spring's KafkaAdmin would raise a
   * smaller partition count to this one, which moves rooms to other partitions mid-stream and
   * reorders their events.
   */
  @Bean
  Object presenceTopics(KafkaProperties kafka, StateProperties properties) {
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(kafka.buildAdminProperties())) {
      for (String topic : java.util.List.of(PresenceContract.TOPIC, PresenceContract.DEAD_LETTER_TOPIC)) {
        try {
          admin.createTopics(java.util.List.of(new NewTopic(topic, properties.partitions(), (short) -1)))
              .all().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
            org.slf4j.LoggerFactory.getLogger(StateConfiguration.class)
                .warn("topic {} not created (the broker may create it, or an operator): {}", topic, e.getCause().toString());
          }
        } catch (java.util.concurrent.TimeoutException e) {
          org.slf4j.LoggerFactory.getLogger(StateConfiguration.class).warn("topic {} not created in time", topic);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    return java.util.List.of(PresenceContract.TOPIC, PresenceContract.DEAD_LETTER_TOPIC);
  }

  /**
   * Records: String keys, CloudEvents values (binary mode); a value that cannot be read at all is
   * handed over as a deserialization failure (its raw bytes kept for the dead-letter topic).
   * Offsets are committed by the listener, after the view holds the event.
   */
  @Bean
  ConcurrentKafkaListenerContainerFactory<String, CloudEvent> kafkaListenerContainerFactory(KafkaProperties kafka,
      StateProperties properties, MeterRegistry registry, PresenceListener listener) {
    Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
    config.put("key.deserializer", StringDeserializer.class);
    config.put("value.deserializer", ErrorHandlingDeserializer.class);
    config.put(ErrorHandlingDeserializer.VALUE_DESERIALIZER_CLASS, PresenceContract.deserializer());
    config.put("enable.auto.commit", false);
    config.putIfAbsent("auto.offset.reset", "earliest");
    ConcurrentKafkaListenerContainerFactory<String, CloudEvent> factory = new ConcurrentKafkaListenerContainerFactory<>();
    DefaultKafkaConsumerFactory<String, CloudEvent> consumers = new DefaultKafkaConsumerFactory<>(config);
    // The consumer's own metrics, lag among them (kafka.consumer.fetch.manager.records.lag.max).
    consumers.addListener(consumerMetrics(registry, properties.kafkaMetricsRefresh()));
    factory.setConsumerFactory(consumers);
    // Acknowledged records are committed together after each poll's batch: a commit per record
    // would cost a broker round trip per event.
    factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.MANUAL);
    factory.setConcurrency(properties.concurrency());
    // A consumer with nothing to read says so now and then: how the listener learns it is caught up.
    factory.getContainerProperties().setIdleEventInterval(IDLE_EVENT_INTERVAL.toMillis());
    factory.setCommonErrorHandler(errorHandler(listener));
    return factory;
  }

  /**
   * Spring Kafka's Micrometer listener, with Micrometer's binder looking over each consumer's
   * metrics for new ones (a partition's records_lag appears only once the partition is assigned)
   * every {@code refresh} rather than its fixed minute.
   */
  static <K, V> org.springframework.kafka.core.MicrometerConsumerListener<K, V> consumerMetrics(MeterRegistry registry,
      java.time.Duration refresh) {
    return new org.springframework.kafka.core.MicrometerConsumerListener<>(registry) {
      @Override
      protected io.micrometer.core.instrument.binder.MeterBinder createClientMetrics(
          org.apache.kafka.clients.consumer.Consumer<K, V> consumer, java.util.List<io.micrometer.core.instrument.Tag> tags) {
        return new ConsumerMetrics(consumer, tags, refresh);
      }
    };
  }

  /**
   * Micrometer's binder of one consumer's metrics, refreshed on a thread of its own as its default
   * one is; closed (with its consumer) it stops that thread too.
   */
  static final class ConsumerMetrics implements io.micrometer.core.instrument.binder.MeterBinder, AutoCloseable {

    private final java.util.concurrent.ScheduledExecutorService scheduler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            new io.micrometer.core.instrument.util.NamedThreadFactory("micrometer-kafka-metrics"));
    private final io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics metrics;

    ConsumerMetrics(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
        Iterable<io.micrometer.core.instrument.Tag> tags, java.time.Duration refresh) {
      this.metrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer, tags, scheduler,
          refresh);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
      metrics.bindTo(registry);
    }

    @Override
    public void close() {
      try {
        metrics.close();
      } finally {
        scheduler.shutdownNow();
      }
    }
  }

  /**
   * The listener handles poison itself; what reaches this handler is a failure to apply. Redis away
   * (a whole batch): retried with back-off for as long as it takes, never skipped. An event the
   * view refuses however often it is tried (the listener names it): retried {@link
   * #PERMANENT_RETRIES} times, then dead-lettered and its offset committed — a partition never
   * spins on it.
   */
  static DefaultErrorHandler errorHandler(PresenceListener listener) {
    ExponentialBackOff whileAway = new ExponentialBackOff(200, 2.0);
    whileAway.setMaxInterval(10_000);
    whileAway.setMaxElapsedTime(Long.MAX_VALUE);
    DefaultErrorHandler handler = new DefaultErrorHandler(listener::recover, whileAway);
    handler.setBackOffFunction((record, failure) -> {
      Throwable cause = failure instanceof org.springframework.kafka.listener.BatchListenerFailedException b
          && b.getCause() != null ? b.getCause() : failure;
      return io.switchboard.state.consumer.StoreFailures.isTransient(cause) ? null
          : new org.springframework.util.backoff.FixedBackOff(500, PERMANENT_RETRIES);
    });
    handler.setCommitRecovered(true);
    return handler;
  }

  /** After this long with nothing to read, a consumer publishes an idle event. */
  static final java.time.Duration IDLE_EVENT_INTERVAL = java.time.Duration.ofSeconds(5);

  /** How often an event the view refuses is tried again before it is dead-lettered. */
  static final int PERMANENT_RETRIES = 2;

  private static Serializer<?> newCloudEventSerializer() {
    io.cloudevents.kafka.CloudEventSerializer serializer = new io.cloudevents.kafka.CloudEventSerializer();
    serializer.configure(PresenceContract.serializerConfig(), false);
    return serializer;
  }
}
