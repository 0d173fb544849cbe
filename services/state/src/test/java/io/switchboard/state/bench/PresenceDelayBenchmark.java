package io.switchboard.state.bench;

import io.cloudevents.CloudEvent;
import io.switchboard.presence.PresenceContract;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import io.switchboard.state.StateApplication;
import io.switchboard.launchers.KafkaBroker;
import io.switchboard.launchers.RedisServerProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Event → visible: events offered at a fixed rate (open loop) to a real KRaft broker; the state
 * service applies them to its Redis view; a client on {@code /v1/stream} sees each change. The
 * delay is from the event's time (stamped just before it is sent) to the moment the SSE client
 * reads the change — what a consumer of the API experiences. Arguments: rate per second (1000),
 * seconds measured (30), seconds of warm-up (5), rooms (200).
 */
public final class PresenceDelayBenchmark {

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int rooms = args.length > 3 ? Integer.parseInt(args[3]) : 200;

    try (RedisServerProcess redis = RedisServerProcess.start();
        KafkaBroker kafka = KafkaBroker.start(PresenceContract.TOPIC, PresenceContract.DEAD_LETTER_TOPIC);
        ConfigurableApplicationContext state = new SpringApplicationBuilder(StateApplication.class).run(
            "--server.port=0", "--server.address=127.0.0.1", "--management.server.port=0",
            "--management.server.address=127.0.0.1", "--spring.data.redis.url=" + redis.url(),
            "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--logging.level.root=WARN",
            io.switchboard.testing.TestCredentials.SERVICE_TOKEN_SETTING);
        KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of(
            "bootstrap.servers", kafka.bootstrapServers(), "key.serializer", StringSerializer.class,
            "value.serializer", PresenceContract.serializer(), "cloudevents.serializer.encoding", "BINARY",
            "acks", "all", "enable.idempotence", true, "linger.ms", 1))) {
      int port = state.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
      Histogram visible = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      AtomicLong seen = new AtomicLong();
      long measureFrom = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(warmup);
      CountDownLatch subscribed = new CountDownLatch(1);
      Thread reader = new Thread(() -> {
        try {
          HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/stream"))
                  .header("Authorization", io.switchboard.testing.TestCredentials.SERVICE_AUTHORIZATION).build(),
              HttpResponse.BodyHandlers.ofInputStream());
          try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
              if (line.startsWith(":subscribed")) {
                subscribed.countDown();
              } else if (line.startsWith("data:")) {
                long now = System.currentTimeMillis();
                int i = line.indexOf("\"time\":") + 7;
                int end = i;
                while (end < line.length() && Character.isDigit(line.charAt(end))) {
                  end++;
                }
                long sent = Long.parseLong(line.substring(i, end));
                if (sent >= measureFrom) {
                  synchronized (visible) {
                    visible.recordValue(Math.max(0, now - sent) * 1000);
                  }
                }
                seen.incrementAndGet();
              }
            }
          }
        } catch (Exception e) {
          System.err.println("stream ended: " + e);
        }
      }, "sse-reader");
      reader.setDaemon(true);
      reader.start();
      subscribed.await(30, TimeUnit.SECONDS);

      long[] sequences = new long[rooms];
      boolean[] in = new boolean[rooms];
      long total = (long) rate * (warmup + seconds);
      long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
      long start = System.nanoTime();
      for (long n = 0; n < total; n++) {
        long due = start + n * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        int r = (int) (n % rooms);
        PresenceType type = in[r]
            ? ((n / rooms) % 3 == 0 ? PresenceType.PARTICIPANT_LEFT : PresenceType.PARTICIPANT_MEDIA_CHANGED)
            : PresenceType.PARTICIPANT_JOINED;
        in[r] = type != PresenceType.PARTICIPANT_LEFT;
        PresenceEvent e = new PresenceEvent(UUID.randomUUID().toString(), type, "bench-" + r, ++sequences[r],
            Instant.now(), "bench", "p" + r, "p" + r + "@bench", "kms-0", (n & 1) == 0, true, null, null);
        producer.send(PresenceContract.record(e));
      }
      producer.flush();
      long deadline = System.currentTimeMillis() + 30_000;
      while (seen.get() < total && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      double seconds_ = (System.nanoTime() - start) / 1e9;
      synchronized (visible) {
        System.out.printf("offered %d events at %d/s over %.1f s; the SSE client saw %d%n", total, rate, seconds_,
            seen.get());
        System.out.printf("event -> visible (after %d s warm-up, %d events): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, "
                + "p99.9 %.1f ms, max %.1f ms%n", warmup, visible.getTotalCount(),
            visible.getValueAtPercentile(50) / 1000.0, visible.getValueAtPercentile(90) / 1000.0,
            visible.getValueAtPercentile(99) / 1000.0, visible.getValueAtPercentile(99.9) / 1000.0,
            visible.getMaxValue() / 1000.0);
      }
    }
  }
}
