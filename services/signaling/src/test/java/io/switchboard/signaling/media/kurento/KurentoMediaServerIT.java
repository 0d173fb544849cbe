package io.switchboard.signaling.media.kurento;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.signaling.domain.MediaServer.MediaException;
import io.switchboard.testing.KmsEmulatorFleet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The KMS adapter against one emulator: requests to one node side by side, bounded, across sessions. */
class KurentoMediaServerIT {

  private final KmsEmulatorFleet kms = KmsEmulatorFleet.start(1);
  private final String url = kms.urls().get(0);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ExecutorService callers = Executors.newFixedThreadPool(20);
  private KurentoMediaServer media;

  @AfterEach
  void stop() {
    callers.shutdownNow();
    if (media != null) {
      media.close();
    }
    kms.close();
  }

  @Test
  void twentyEndpointCreationsOnOneNodeDoNotWaitForEachOther() throws Exception {
    media = new KurentoMediaServer(Duration.ofSeconds(10), 8, 64, registry);
    media.open(url);
    String pipeline = media.createPipeline(url);
    kms.node(0).faults().latency(Duration.ofMillis(200));

    long start = System.nanoTime();
    List<CompletableFuture<String>> created = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      created.add(CompletableFuture.supplyAsync(() -> media.createEndpoint(url, pipeline, null), callers));
    }
    CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(created).extracting(CompletableFuture::join).doesNotContainNull().doesNotHaveDuplicates();
    // One after another (one KMS session, or kurento-client's create holding its monitor for the
    // round trip) this takes 20 × 200 ms = 4 s; on 8 sessions, three rounds of 200 ms.
    assertThat(millis).as("20 creations of 200 ms each took %d ms", millis).isLessThan(2_000);
  }

  @Test
  void aBurstBeyondTheInFlightBoundWaitsItsTurnAndFailsAsUnreachableAfterTheTimeout() throws Exception {
    media = new KurentoMediaServer(Duration.ofSeconds(1), 4, 2, registry);
    String pipeline = media.createPipeline(url);
    kms.node(0).faults().latency(Duration.ofMillis(300));

    List<CompletableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(CompletableFuture.supplyAsync(() -> media.createEndpoint(url, pipeline, null), callers));
    }
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(registry.get("switchboard.signaling.kms.requests.waiting").tag("node", url).gauge().value())
            .isPositive());
    assertThat(registry.get("switchboard.signaling.kms.requests.in.flight").tag("node", url).gauge().value())
        .isLessThanOrEqualTo(2);
    List<String> ok = new ArrayList<>();
    List<Throwable> failed = new ArrayList<>();
    for (CompletableFuture<String> call : calls) {
      try {
        ok.add(call.get(30, TimeUnit.SECONDS));
      } catch (java.util.concurrent.ExecutionException e) {
        failed.add(e.getCause());
      }
    }

    // 10 × 300 ms through 2 slots is 1.5 s: the first ones go through, the last outwait the 1 s timeout.
    assertThat(ok).hasSizeGreaterThanOrEqualTo(2);
    assertThat(failed).isNotEmpty().allSatisfy(e -> {
      assertThat(e).isInstanceOf(MediaException.class).hasMessageContaining("is busy: 2 requests in flight");
      assertThat(((MediaException) e).refused()).isFalse();
    });
    assertThat(registry.get("switchboard.signaling.kms.request").tag("operation", "createEndpoint")
        .tag("outcome", "unreachable").timer().count()).isEqualTo(failed.size());
  }

  @Test
  void anEndpointKmsCreatesAfterTheRequestTimedOutIsReleasedWhenItArrives() {
    media = new KurentoMediaServer(Duration.ofMillis(300), 4, 64, registry);
    String pipeline = media.createPipeline(url);
    kms.node(0).faults().latency(Duration.ofMillis(800));

    assertThatThrownBy(() -> media.createEndpoint(url, pipeline, null))
        .isInstanceOf(MediaException.class).hasMessageContaining("within 300 ms");

    // KMS creates it 800 ms after it was asked, and the adapter releases it once the answer comes.
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
        .until(() -> kms.node(0).server().count("WebRtcEndpoint") == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> kms.node(0).server().count("WebRtcEndpoint") == 0);
    assertThat(kms.node(0).server().mediaObjectCount()).as("the pipeline alone").isEqualTo(1);
  }

  @Test
  void releasingAPipelineForgetsItsEndpointsListenersToo() {
    media = new KurentoMediaServer(Duration.ofSeconds(10), 4, 64, registry);
    String pipeline = media.createPipeline(url);
    String endpoint = media.createEndpoint(url, pipeline, candidate -> { });
    String other = media.createEndpoint(url, media.createPipeline(url), candidate -> { });
    assertThat(media.listener(url, endpoint)).isNotNull();

    media.release(url, pipeline);

    assertThat(media.listener(url, endpoint)).as("gone with its pipeline").isNull();
    assertThat(media.listener(url, other)).as("another pipeline's").isNotNull();
  }

  @Test
  void openingANodeOpensEveryOneOfItsSessions() {
    media = new KurentoMediaServer(Duration.ofSeconds(10), 4, 64, registry);

    media.open(url);

    assertThat(kms.node(0).server().sessionCount()).isEqualTo(4);
  }

  @Test
  void anEndpointServesFromEverySessionAndItsCandidatesComeToItsListener() throws Exception {
    media = new KurentoMediaServer(Duration.ofSeconds(10), 4, 64, registry);
    String pipeline = media.createPipeline(url);
    List<IceCandidate> candidates = new CopyOnWriteArrayList<>();
    String endpoint = media.createEndpoint(url, pipeline, candidates::add);
    Object listener = media.listener(url, endpoint);

    // Several calls at once, so that they land on different sessions than the one that created it.
    List<CompletableFuture<Void>> calls = new ArrayList<>();
    String other = media.createEndpoint(url, pipeline, null);
    for (int i = 0; i < 8; i++) {
      calls.add(CompletableFuture.runAsync(() -> media.connect(url, endpoint, other), callers));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertThat(media.processOffer(url, endpoint, offer())).startsWith("v=0");
    media.gatherCandidates(url, endpoint);

    await().atMost(Duration.ofSeconds(10)).until(() -> !candidates.isEmpty());
    assertThat(listener).isNotNull();
    media.unlisten(url, endpoint, listener);
    assertThat(media.listener(url, endpoint)).isNull();
    media.release(url, endpoint);
    assertThatThrownBy(() -> kms.node(0).server().find(endpoint)).hasMessageContaining("not found");
  }

  @Test
  void aNegotiationsStepsAreInFlightTogether() throws Exception {
    media = new KurentoMediaServer(Duration.ofSeconds(10), 8, 64, registry);
    media.open(url);
    String pipeline = media.createPipeline(url);
    String publisher = media.createEndpoint(url, pipeline, null);
    String receiver = media.createEndpoint(url, pipeline, null);
    List<IceCandidate> early = List.of(
        new IceCandidate("candidate:1 1 udp 2122194687 192.0.2.2 53056 typ host generation 0", "0", 0),
        new IceCandidate("candidate:2 1 udp 2122194687 192.0.2.2 53057 typ host generation 0", "0", 0),
        new IceCandidate("candidate:3 1 udp 2122194687 192.0.2.2 53058 typ host generation 0", "0", 0));
    String offer = offer();
    // Round trips long against a loaded machine's stalls, so the bound below tells side by side
    // from one after another with room to spare.
    kms.node(0).faults().latency(Duration.ofMillis(500));

    long start = System.nanoTime();
    String answer = media.negotiate(url, receiver, publisher, early, offer);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(answer).startsWith("v=0");
    assertThat(okCount("connect")).isEqualTo(1);
    assertThat(okCount("addIceCandidate")).isEqualTo(3);
    assertThat(okCount("processOffer")).isEqualTo(1);
    // One after another (connect, three candidates, the offer) this is 5 × 500 ms = 2.5 s.
    assertThat(millis).as("five requests of 500 ms each took %d ms", millis).isLessThan(1_500);
  }

  @Test
  void anEndpointsIceListenerIsAddedWhileItIsNegotiatedAndBeforeItGathers() throws Exception {
    media = new KurentoMediaServer(Duration.ofSeconds(10), 4, 64, registry);
    media.open(url);
    String pipeline = media.createPipeline(url);
    String offer = offer();
    List<IceCandidate> found = new CopyOnWriteArrayList<>();
    kms.node(0).faults().latency(Duration.ofMillis(1_000));

    long start = System.nanoTime();
    String endpoint = media.createEndpoint(url, pipeline, found::add);
    long created = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    String answer = media.negotiate(url, endpoint, null, List.of(), offer);
    long negotiated = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    media.gatherCandidates(url, endpoint);

    assertThat(answer).startsWith("v=0");
    assertThat(created).as("the endpoint alone, its listener still being added: %d ms", created).isLessThan(1_700);
    // One after another (the endpoint, its listener, the offer) this is 3 × 1,000 ms = 3 s.
    assertThat(negotiated).as("created and negotiated in %d ms", negotiated).isLessThan(2_600);
    await().atMost(Duration.ofSeconds(10)).until(() -> !found.isEmpty());
    assertThat(okCount("subscribe")).isEqualTo(1);
    assertThat(media.listener(url, endpoint)).isNotNull();
  }

  @Test
  void gatheringAndALateCandidateDoNotWaitForKms() throws Exception {
    media = new KurentoMediaServer(Duration.ofSeconds(10), 4, 64, registry);
    String pipeline = media.createPipeline(url);
    List<IceCandidate> found = new CopyOnWriteArrayList<>();
    String endpoint = media.createEndpoint(url, pipeline, found::add);
    assertThat(media.negotiate(url, endpoint, null, List.of(), offer())).startsWith("v=0");
    kms.node(0).faults().latency(Duration.ofMillis(500));

    long start = System.nanoTime();
    media.gatherCandidates(url, endpoint);
    media.addIceCandidate(url, endpoint,
        new IceCandidate("candidate:1 1 udp 2122194687 192.0.2.2 53056 typ host generation 0", "0", 0));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(millis).as("two requests of 500 ms each returned after %d ms", millis).isLessThan(500);
    await().atMost(Duration.ofSeconds(10)).until(() -> !found.isEmpty());
    await().atMost(Duration.ofSeconds(10)).until(() -> okCount("addIceCandidate") == 1 && okCount("gatherCandidates") == 1);
    assertThat(registry.get("switchboard.signaling.kms.requests.in.flight").tag("node", url).gauge().value())
        .as("every slot given back").isZero();
  }

  @Test
  void aNegotiationSaysWhetherKmsRefusedTheOfferOrAnotherStepFailed() throws Exception {
    media = new KurentoMediaServer(Duration.ofSeconds(10), 4, 64, registry);
    String pipeline = media.createPipeline(url);
    String endpoint = media.createEndpoint(url, pipeline, null);
    String other = media.createEndpoint(url, pipeline, null);
    String gone = media.createEndpoint(url, pipeline, null);
    media.release(url, gone);

    assertThatThrownBy(() -> media.negotiate(url, endpoint, null, List.of(), "not an offer"))
        .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.refused()).isTrue());
    assertThatThrownBy(() -> media.negotiate(url, other, gone, List.of(), offer()))
        .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.refused()).as("the offer was not refused").isFalse());
    assertThat(registry.get("switchboard.signaling.kms.request").tag("operation", "connect")
        .tag("outcome", "refused").timer().count()).isEqualTo(1);
    assertThat(registry.get("switchboard.signaling.kms.requests.in.flight").tag("node", url).gauge().value()).isZero();
  }

  private long okCount(String operation) {
    var timer = registry.find("switchboard.signaling.kms.request").tag("operation", operation).tag("outcome", "ok").timer();
    return timer == null ? 0 : timer.count();
  }

  private static String offer() throws IOException {
    try (InputStream in = KurentoMediaServerIT.class.getResourceAsStream("/sdp/01-sendonly-audio-video.offer.chromium.sdp")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
