package io.switchboard.testing;

import io.switchboard.launchers.KafkaBroker;
import io.switchboard.launchers.KmsEmulatorProcess;
import io.switchboard.launchers.RedisServerProcess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.switchboard.kms.emulator.KmsEmulator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.kurento.client.KurentoClient;
import org.kurento.client.MediaPipeline;

/** Each real thing starts on a free loopback port, works, and leaves nothing behind. */
class RealThingsIT {

  @Test
  void redisServesAndLeavesNoFilesOrProcessBehind() {
    RedisServerProcess redis = RedisServerProcess.start();
    Path directory = redis.directory();
    RedisClient client = RedisClient.create(redis.url());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().set("switchboard", "up");
      assertThat(connection.sync().get("switchboard")).isEqualTo("up");
    } finally {
      client.shutdown();
    }
    assertThat(redis.url()).startsWith("redis://127.0.0.1:");

    redis.close();

    assertThat(listening(redis.port())).isFalse();
    assertThat(directory).doesNotExist();
  }

  @Test
  void redisRestartsEmptyOnTheSamePort() {
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      RedisClient client = RedisClient.create(redis.url());
      try {
        try (StatefulRedisConnection<String, String> c = client.connect()) {
          c.sync().set("k", "v");
        }
        redis.stop();
        assertThat(listening(redis.port())).isFalse();
        redis.restart();
        try (StatefulRedisConnection<String, String> c = client.connect()) {
          assertThat(c.sync().get("k")).isNull();
        }
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void kafkaCarriesRecordsAndLeavesNoLogDirectories() throws IOException {
    Set<Path> before = tmpEntries();
    String bootstrap;
    try (KafkaBroker kafka = KafkaBroker.start("test.topic")) {
      bootstrap = kafka.bootstrapServers();
      assertThat(bootstrap).matches("(127\\.0\\.0\\.1|localhost):\\d+");
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
          "bootstrap.servers", bootstrap, "acks", "all"), new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("test.topic", "room-1", "joined")).get();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
          "bootstrap.servers", bootstrap, "group.id", "t", "auto.offset.reset", "earliest"),
          new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of("test.topic"));
        ConsumerRecords<String, String> records = ConsumerRecords.empty();
        for (int i = 0; i < 20 && records.isEmpty(); i++) {
          records = consumer.poll(Duration.ofMillis(500));
        }
        assertThat(records.count()).isEqualTo(1);
        assertThat(records.iterator().next().value()).isEqualTo("joined");
      }
    }
    assertThat(listening(Integer.parseInt(bootstrap.substring(bootstrap.indexOf(':') + 1)))).isFalse();
    Set<Path> left = tmpEntries();
    left.removeAll(before);
    assertThat(left).noneMatch(p -> p.getFileName().toString().toLowerCase().contains("kafka"));
  }

  @Test
  void emulatorFleetServesKurentoClients() {
    List<Integer> ports;
    try (KmsEmulatorFleet fleet = KmsEmulatorFleet.start(3)) {
      assertThat(fleet.urls()).hasSize(3).doesNotHaveDuplicates().allMatch(u -> u.startsWith("ws://127.0.0.1:"));
      assertThat(fleet.urlList().split(",")).hasSize(3);
      for (String url : fleet.urls()) {
        KurentoClient client = KurentoClient.create(url);
        try {
          MediaPipeline pipeline = client.createMediaPipeline();
          assertThat(pipeline.getId()).endsWith("_kurento.MediaPipeline");
        } finally {
          client.destroy();
        }
      }
      ports = fleet.nodes().stream().map(KmsEmulator::port).toList();
    }
    assertThat(ports).noneMatch(RealThingsIT::listening);
  }

  @Test
  void emulatorProcessTakesFaultsOverHttpAndDies() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (KmsEmulatorProcess kms = KmsEmulatorProcess.start("--capacity", "5")) {
      KurentoClient client = KurentoClient.create(kms.url());
      try {
        client.createMediaPipeline();
        HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(kms.adminUrl() + "/status")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains("\"pipelines\":1").contains("\"capacity\":5");

        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(kms.adminUrl() + "/faults/latency?millis=x"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("\"error\"");

        HttpResponse<String> exit = http.send(HttpRequest.newBuilder(URI.create(kms.adminUrl() + "/exit"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(exit.statusCode()).isEqualTo(200);
        assertThat(kms.waitFor()).isTrue();
        assertThat(kms.alive()).isFalse();
        assertThatThrownBy(() -> client.getServerManager().getCpuCount()).isInstanceOf(RuntimeException.class);
      } finally {
        client.destroy();
      }
    }
  }

  @Test
  void killedEmulatorProcessFreesItsPort() {
    KmsEmulatorProcess kms = KmsEmulatorProcess.start();
    assertThat(listening(kms.port())).isTrue();
    kms.kill();
    assertThat(kms.alive()).isFalse();
    assertThat(listening(kms.port())).isFalse();
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Set<Path> tmpEntries() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return new HashSet<>(entries.toList());
    }
  }
}
