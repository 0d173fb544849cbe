package io.switchboard.signaling.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.launchers.KmsEmulatorProcess;
import io.switchboard.signaling.media.kurento.KurentoMediaServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The KMS adapter alone ({@link KurentoMediaServer}) against one KMS emulator process: each caller
 * negotiates streams one after another (createEndpoint with an ICE listener, processOffer,
 * gatherCandidates, release: five requests to KMS) on one shared pipeline, for a fixed time, at 1,
 * 8 and 64 concurrent callers. In the same run, the floor: one raw JSON-RPC {@code ping} round trip
 * to the same emulator over a plain WebSocket. Run with
 * {@code ./mvnw -B -pl services/signaling -Pbench -DskipTests -DskipITs verify (after ./mvnw -B -DskipTests install)}
 * (docs/benchmarks.md); arguments: callers (comma-separated), seconds per step, KMS sessions per
 * node, requests in flight per node (the pod's defaults: 4, 64), and milliseconds the emulator
 * adds to each request (0: none; a real KMS spends milliseconds on a processOffer).
 */
public final class KmsAdapterBenchmark {

  private static final int REQUESTS_PER_STREAM = 5;

  public static void main(String[] args) throws Exception {
    int[] callers = Arrays.stream((args.length > 0 ? args[0] : "1,8,64").split(",")).mapToInt(Integer::parseInt).toArray();
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int sessions = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int inFlight = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    int latency = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    String offer = resource("/sdp/01-sendonly-audio-video.offer.chromium.sdp");
    try (KmsEmulatorProcess kms = KmsEmulatorProcess.start();
        KurentoMediaServer media = new KurentoMediaServer(Duration.ofSeconds(30), sessions, inFlight, new SimpleMeterRegistry())) {
      System.out.printf("KMS sessions per node: %d, requests in flight per node: at most %d%n", sessions, inFlight);
      HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(kms.adminUrl() + "/faults/latency?millis=" + latency))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
      System.out.printf("emulator latency per request: %d ms%n", latency);
      System.out.printf("floor: raw ping round trip to the emulator, one at a time: %s%n", floor(kms.url(), seconds));
      String pipeline = media.createPipeline(kms.url());
      run(media, kms.url(), pipeline, offer, 4, Math.max(2, seconds / 2)); // warm-up, not reported
      System.out.println("| callers | streams/s | KMS requests/s | one stream p50 / p99 / max (ms) |");
      System.out.println("|---|---|---|---|");
      for (int n : callers) {
        Histogram h = run(media, kms.url(), pipeline, offer, n, seconds);
        double streams = h.getTotalCount() / (double) seconds;
        System.out.printf("| %d | %.0f | %.0f | %.1f / %.1f / %.1f |%n", n, streams, streams * REQUESTS_PER_STREAM,
            h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3);
      }
    }
    System.exit(0);
  }

  /** Streams negotiated by {@code callers} threads for {@code seconds}; latencies in microseconds. */
  private static Histogram run(KurentoMediaServer media, String url, String pipeline, String offer, int callers,
      int seconds) throws InterruptedException {
    Recorder recorder = new Recorder(3);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong failures = new AtomicLong();
    CountDownLatch done = new CountDownLatch(callers);
    for (int i = 0; i < callers; i++) {
      Thread caller = new Thread(() -> {
        try {
          while (System.nanoTime() < end) {
            long start = System.nanoTime();
            try {
              String endpoint = media.createEndpoint(url, pipeline, candidate -> { });
              media.processOffer(url, endpoint, offer);
              media.gatherCandidates(url, endpoint);
              media.release(url, endpoint);
              recorder.recordValue((System.nanoTime() - start) / 1_000);
            } catch (RuntimeException e) {
              failures.incrementAndGet();
            }
          }
        } finally {
          done.countDown();
        }
      }, "caller-" + i);
      caller.setDaemon(true);
      caller.start();
    }
    done.await();
    if (failures.get() > 0) {
      System.out.printf("(%d callers: %d streams failed)%n", callers, failures.get());
    }
    return recorder.getIntervalHistogram();
  }

  /** p50 / p99 of a raw {@code ping} over its own WebSocket, sent one at a time. */
  private static String floor(String url, int seconds) throws Exception {
    SynchronousQueue<String> answers = new SynchronousQueue<>();
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create(url), new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              String whole = text.toString();
              text.setLength(0);
              try {
                answers.put(whole);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            ws.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    Histogram h = new Histogram(3);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(seconds, 5));
    for (int id = 1; System.nanoTime() < end; id++) {
      long start = System.nanoTime();
      socket.sendText("{\"id\":" + id + ",\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"params\":{}}", true).join();
      if (answers.poll(10, TimeUnit.SECONDS) == null) {
        throw new IllegalStateException("no answer to ping " + id);
      }
      h.recordValue((System.nanoTime() - start) / 1_000);
    }
    socket.abort();
    return String.format("p50 %.2f ms, p99 %.2f ms (%d pings)", h.getValueAtPercentile(50) / 1e3,
        h.getValueAtPercentile(99) / 1e3, h.getTotalCount());
  }

  private static String resource(String name) {
    try (InputStream in = KmsAdapterBenchmark.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private KmsAdapterBenchmark() {}
}
