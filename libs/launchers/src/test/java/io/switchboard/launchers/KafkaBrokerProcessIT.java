package io.switchboard.launchers;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A broker in its own process keeps its data across a graceful stop and across SIGKILL. */
class KafkaBrokerProcessIT {

  @Test
  void recordsSurviveStopAndKillAndNothingIsLeftBehind() throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    List<Path> before = list(tmp);
    String bootstrap;
    try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start("events")) {
      bootstrap = kafka.bootstrapServers();
      produce(bootstrap, "before-stop");
      kafka.stop();
      assertThat(kafka.running()).isFalse();
      kafka.restart();
      produce(bootstrap, "after-restart");
      kafka.kill();
      kafka.restart();
      produce(bootstrap, "after-kill");

      assertThat(consumeAll(bootstrap)).containsExactlyInAnyOrder("before-stop", "after-restart", "after-kill");
    }
    assertThat(listening(Integer.parseInt(bootstrap.substring(bootstrap.indexOf(':') + 1)))).isFalse();
    assertThat(list(tmp)).containsExactlyInAnyOrderElementsOf(before.stream()
        .filter(Files::exists).toList());
  }

  private static void produce(String bootstrap, String value) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
        "acks", "all", "enable.idempotence", true), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("events", "room-1", value)).get();
    }
  }

  private static List<String> consumeAll(String bootstrap) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "group.id", "check", "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("events"));
      for (int i = 0; i < 40 && values.size() < 3; i++) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static List<Path> list(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("switchboard-kafka-")).toList();
    }
  }
}
