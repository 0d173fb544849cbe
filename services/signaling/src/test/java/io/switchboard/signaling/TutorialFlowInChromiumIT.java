package io.switchboard.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.testing.HeadlessChromium;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two real Chromium pages speak /groupcall the way the Kurento tutorial's browser client does,
 * with real RTCPeerConnections: every answer the signaling pod relays from KMS is applied, every
 * candidate added, every browser candidate accepted, and nothing is refused.
 */
class TutorialFlowInChromiumIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(1);
  static final PlacementStub PLACEMENT = new PlacementStub(REDIS.url(), () -> KMS.node(0).url());
  static final ConfigurableApplicationContext POD = SignalingPods.start(REDIS.url(), PLACEMENT.url());
  static final HttpServer WEB = servePage();
  static final HeadlessChromium CHROMIUM = HeadlessChromium.launch();

  @AfterAll
  static void stop() {
    CHROMIUM.close();
    WEB.stop(0);
    POD.close();
    PLACEMENT.close();
    KMS.close();
    REDIS.close();
  }

  private static Page page(BrowserContext context, String name) {
    Page page = context.newPage();
    page.navigate("http://127.0.0.1:" + WEB.getAddress().getPort() + "/groupcall.html");
    page.evaluate("([url, name, room]) => join(url, name, room)", List.of(SignalingPods.url(POD), name, "browsers"));
    return page;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> state(Page page) {
    return (Map<String, Object>) page.evaluate("() => state");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> answers(Page page) {
    return (Map<String, Object>) state(page).get("answers");
  }

  private static int number(Page page, String key) {
    return ((Number) state(page).get(key)).intValue();
  }

  @Test
  void twoBrowsersPublishAndReceiveEachOtherThroughSignaling() {
    try (BrowserContext context = CHROMIUM.browser().newContext()) {
      Page alice = page(context, "alice");
      await().atMost(Duration.ofSeconds(20)).until(() -> "stable".equals(answers(alice).get("alice")));
      Page bob = page(context, "bob");
      // Bob publishes and receives Alice; Alice receives Bob when he arrives.
      await().atMost(Duration.ofSeconds(20)).until(() -> answers(bob).size() == 2 && answers(alice).size() == 2);
      assertThat(answers(alice)).containsOnly(Map.entry("alice", "stable"), Map.entry("bob", "stable"));
      assertThat(answers(bob)).containsOnly(Map.entry("alice", "stable"), Map.entry("bob", "stable"));
      // KMS's candidates reached the browsers and were added; the browsers' reached the pod.
      await().atMost(Duration.ofSeconds(10)).until(() -> number(alice, "candidates") > 0 && number(bob, "candidates") > 0);
      assertThat(number(alice, "sent")).isPositive();
      assertThat(number(bob, "sent")).isPositive();
      assertThat(KMS.node(0).server().count("WebRtcEndpoint")).isEqualTo(4);
      assertThat(state(alice).get("errors")).asList().isEmpty();
      assertThat(state(bob).get("errors")).asList().isEmpty();

      bob.evaluate("() => leave()");
      await().atMost(Duration.ofSeconds(10)).until(() ->
          ((List<?>) state(alice).get("events")).contains("participantLeft"));
      alice.evaluate("() => leave()");
      await().atMost(Duration.ofSeconds(10)).until(() -> KMS.node(0).server().mediaObjectCount() == 0);
      assertThat(state(alice).get("errors")).asList().isEmpty();
    }
  }

  private static HttpServer servePage() {
    try (InputStream in = TutorialFlowInChromiumIT.class.getResourceAsStream("/web/groupcall.html")) {
      byte[] html = in.readAllBytes();
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
      server.createContext("/groupcall.html", exchange -> {
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, html.length);
        exchange.getResponseBody().write(html);
        exchange.close();
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
