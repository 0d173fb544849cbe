package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayFixture.http;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import io.switchboard.testing.HeadlessChromium;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The browser client the gateway serves at {@code /}, in real Chromium (fake camera), through the
 * gateway to the signaling pods: two people join one room, each applies the other's answers, they
 * chat, one leaves. Its content security policy holds (no inline script, no violation).
 */
class BrowserClientInChromiumIT {

  static final GatewayFixture STACK = GatewayFixture.shared();
  static final ConfigurableApplicationContext GATEWAY = STACK.gateway();
  static final HeadlessChromium CHROMIUM = HeadlessChromium.launch();

  @AfterAll
  static void stop() {
    CHROMIUM.close();
  }

  private static Page join(BrowserContext context, String name, String room, List<String> problems) {
    Page page = context.newPage();
    page.onConsoleMessage(m -> {
      if (m.type().equals("error")) {
        problems.add(name + ": " + m.text());
      }
    });
    page.navigate(http(GATEWAY, "/?name=" + name + "&room=" + room));
    page.click("#join button[type=submit]");
    return page;
  }

  /** Whether the page has an answered peer connection for {@code other}, and its tile. */
  private static boolean connectedTo(Page page, String other) {
    return (Boolean) page.evaluate("(other) => { const p = window.switchboard.peers[other];"
        + " return !!p && p.pc.signalingState === 'stable' && p.pc.remoteDescription !== null"
        + " && !!document.getElementById('tile-' + other); }", other);
  }

  @Test
  void twoPeopleCallChatAndLeaveThroughTheGateway() {
    List<String> problems = new ArrayList<>();
    try (BrowserContext context = CHROMIUM.browser().newContext()) {
      Page alice = join(context, "alice", "browsers", problems);
      Page bob = join(context, "bob", "browsers", problems);
      // Each published its camera (answer applied) and receives the other.
      alice.waitForCondition(() -> connectedTo(alice, "alice") && connectedTo(alice, "bob"));
      bob.waitForCondition(() -> connectedTo(bob, "bob") && connectedTo(bob, "alice"));
      assertThat(alice.textContent("#status")).isEqualTo("connected");

      alice.fill("#text", "hello bob");
      alice.press("#text", "Enter");
      bob.waitForCondition(() -> bob.textContent("#messages").contains("alice: hello bob"));

      alice.click("#mute-audio");
      bob.waitForCondition(() -> bob.textContent("#tile-alice figcaption").contains("🔇"));

      bob.click("#leave");
      alice.waitForCondition(() -> (Boolean) alice.evaluate("() => !document.getElementById('tile-bob')"));
      assertThat(bob.isVisible("#join")).isTrue();
      assertThat(alice.textContent("#errors")).isEmpty();
      assertThat(problems).isEmpty();
    }
  }
}
