package io.switchboard.kms.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kurento.client.IceCandidate;
import org.kurento.client.KurentoClient;
import org.kurento.client.MediaPipeline;
import org.kurento.client.WebRtcEndpoint;

/**
 * Real headless Chromium (Debian's package, fake camera and microphone) makes its own offers; the
 * emulator answers through kurento-client; Chromium's setRemoteDescription must accept every
 * answer, and addIceCandidate every candidate the emulator trickles.
 */
@org.junit.jupiter.api.extension.ExtendWith(ThreadDumpOnFailure.class)
class ChromiumAcceptsAnswersIT {

  private static Playwright playwright;
  private static Browser browser;
  private static HttpServer web;
  private static KmsEmulator kms;
  private static KurentoClient kurento;
  private Page page;
  private MediaPipeline pipeline;

  @BeforeAll
  static void start() {
    kms = KmsEmulator.start(EmulatorConfig.defaults());
    kurento = KurentoClient.create(kms.url());
    web = servePage();
    playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(chromium())
        .setHeadless(true)
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")));
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    if (web != null) {
      web.stop(0);
    }
    if (kurento != null) {
      kurento.destroy();
    }
    if (kms != null) {
      kms.close();
    }
  }

  @BeforeEach
  void openPage() {
    page = browser.newPage();
    // localhost is a secure context, so getUserMedia works.
    page.navigate("http://127.0.0.1:" + web.getAddress().getPort() + "/peer.html");
    pipeline = kurento.createMediaPipeline();
  }

  @AfterEach
  void closePage() {
    page.close();
    pipeline.release();
  }

  @ParameterizedTest(name = "{0} {1} bundle={2}")
  @CsvSource({
      "sendonly, audio+video, true, recvonly",
      "recvonly, audio+video, true, sendonly",
      "sendrecv, audio+video, true, sendrecv",
      "sendonly, video, true, recvonly",
      "sendrecv, audio, true, sendrecv",
      "recvonly, video, true, sendonly",
      "sendonly, audio+video, false, recvonly",
      "recvonly, audio+video, false, sendonly",
      "sendrecv, audio+video, false, sendrecv"})
  void chromiumAcceptsTheAnswerToItsOwnOffer(String direction, String media, boolean bundle, String answered) {
    List<String> kinds = List.of(media.split("\\+"));
    String offer = (String) page.evaluate("o => makeOffer(o)",
        Map.of("direction", direction, "media", kinds, "bundle", bundle));
    WebRtcEndpoint endpoint = new WebRtcEndpoint.Builder(pipeline).build();
    List<Map<String, Object>> candidates = new CopyOnWriteArrayList<>();
    endpoint.addIceCandidateFoundListener(e -> candidates.add(candidate(e.getCandidate())));
    List<Boolean> gathered = new CopyOnWriteArrayList<>();
    endpoint.addIceGatheringDoneListener(e -> gathered.add(true));

    String answer = endpoint.processOffer(offer);
    assertThat(answer.contains("a=group:BUNDLE")).isEqualTo(bundle);

    @SuppressWarnings("unchecked")
    Map<String, Object> applied = (Map<String, Object>) page.evaluate("a => applyAnswer(a)", answer);
    assertThat(applied.get("signalingState")).isEqualTo("stable");
    // Chromium reports its own side: what KMS answered, seen from the browser, is the offer's direction.
    @SuppressWarnings("unchecked")
    List<Object> directions = (List<Object>) applied.get("directions");
    assertThat(directions).hasSize(kinds.size()).containsOnly(direction);
    assertThat(answer).contains("a=" + answered);

    endpoint.gatherCandidates();
    // kurento-client runs listeners on a pool: IceGatheringDone may be seen before the last
    // candidate, so wait for both.
    int expected = 3 * 2 * kinds.size();
    await().atMost(Duration.ofSeconds(5)).until(() -> !gathered.isEmpty() && candidates.size() == expected);
    Object added = page.evaluate("c => addCandidates(c)", List.copyOf(candidates));
    assertThat(((Number) added).intValue()).isEqualTo(expected);
  }

  @Test
  void emulatorOfferIsAnsweredByChromiumAndTheAnswerProcessed() {
    WebRtcEndpoint endpoint = new WebRtcEndpoint.Builder(pipeline).build();
    String offer = endpoint.generateOffer();

    String answer = (String) page.evaluate("o => answerOffer(o)", offer);

    assertThat(answer).contains("a=group:BUNDLE audio0 video0").contains("a=setup:active");
    assertThat(endpoint.processAnswer(answer)).isEqualTo(offer);
  }

  private static Map<String, Object> candidate(IceCandidate c) {
    return Map.of("candidate", c.getCandidate(), "sdpMid", c.getSdpMid(), "sdpMLineIndex", c.getSdpMLineIndex());
  }

  private static HttpServer servePage() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
      byte[] html = Fixtures.resource("/web/peer.html").getBytes(StandardCharsets.UTF_8);
      server.createContext("/peer.html", exchange -> {
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, html.length);
        exchange.getResponseBody().write(html);
        exchange.close();
      });
      server.start();
      return server;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Debian's chromium (installed by .ci/run); CHROMIUM_PATH overrides it. */
  private static Path chromium() {
    String configured = System.getenv("CHROMIUM_PATH");
    Path path = Path.of(configured != null ? configured : "/usr/bin/chromium");
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(path + " is missing: run .ci/run once, or apt-get install chromium");
    }
    return path;
  }
}
