package io.switchboard.launchers;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker in KRaft mode (spring-kafka-test's, in this JVM), listening on 127.0.0.1 on
 * a free port. Its log directories are removed when it stops.
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.start("switchboard.presence.v1")) {
 *   String bootstrap = kafka.bootstrapServers(); // 127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class KafkaBroker implements AutoCloseable {

  private final EmbeddedKafkaKraftBroker broker;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** spring-kafka-test's KRaft broker takes a free port of its own (it ignores kafkaPorts()). */
  private KafkaBroker(int partitions, String... topics) {
    this.broker = new EmbeddedKafkaKraftBroker(1, partitions, topics);
    broker.brokerProperties(Map.of(
        "auto.create.topics.enable", "false",
        "group.initial.rebalance.delay.ms", "0",
        "offsets.topic.num.partitions", "1"));
    broker.afterPropertiesSet();
  }

  /** A broker with these topics, each with two partitions. */
  public static KafkaBroker start(String... topics) {
    return new KafkaBroker(2, topics);
  }

  public static KafkaBroker startWithPartitions(int partitions, String... topics) {
    return new KafkaBroker(partitions, topics);
  }

  /** {@code 127.0.0.1:<port>}, the form {@code spring.kafka.bootstrap-servers} takes. */
  public String bootstrapServers() {
    return broker.getBrokersAsString();
  }

  public void createTopics(String... topics) {
    broker.addTopics(topics);
  }

  /** The underlying spring-kafka-test broker, for its consumer helpers. */
  public EmbeddedKafkaKraftBroker embedded() {
    return broker;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      broker.destroy();
    }
  }
}
