package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.testing.RedisServerProcess;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What a pod does with the identity the gateway verified (X-Switchboard-* headers): a pod that
 * requires it refuses sockets without; a join elsewhere than the token says closes with 4403; an
 * action not granted is refused and the socket carries on; a resume is held to the same rules.
 */
class JoinTokenEnforcementIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(1);
  static final PlacementStub PLACEMENT = new PlacementStub(REDIS.url(), () -> KMS.node(0).url());
  static final ConfigurableApplicationContext POD = SignalingPods.start(REDIS.url(), PLACEMENT.url(),
      "--switchboard.signaling.require-identity=true");

  @AfterAll
  static void stop() {
    POD.close();
    PLACEMENT.close();
    KMS.close();
    REDIS.close();
  }

  static Map<String, String> token(String identity, String room, String grants) {
    return Map.of("X-Switchboard-Identity", identity, "X-Switchboard-Room", room, "X-Switchboard-Grants", grants);
  }

  @Test
  void aPodThatRequiresIdentityRefusesASocketWithoutIt() throws Exception {
    try (BrowserSocket anonymous = new BrowserSocket(SignalingPods.url(POD))) {
      assertThat(anonymous.next("error").path("code").asText()).isEqualTo("not-allowed");
      assertThat(anonymous.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4403);
    }
  }

  @Test
  void aRoomOrGrantsWithoutTheIdentityAreRefusedNotTakenForAnyone() throws Exception {
    // What a pod would see had a client talked a proxy into dropping the identity header.
    try (BrowserSocket stripped = new BrowserSocket(SignalingPods.url(POD),
        Map.of("X-Switchboard-Room", "standup", "X-Switchboard-Grants", "subscribe"))) {
      assertThat(stripped.next("error").path("message").asText()).isEqualTo("incomplete identity headers");
      assertThat(stripped.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4403);
    }
  }

  @Test
  void percentEncodedIdentitiesAreDecodedAndJoinsAreHeldToThem() throws Exception {
    try (BrowserSocket zoe = new BrowserSocket(SignalingPods.url(POD),
        token("Zo%C3%AB", "Q%26A%20room", "subscribe"))) {
      CallSteps.joined(zoe, "Zoë", "Q&A room");
    }
    try (BrowserSocket wrong = new BrowserSocket(SignalingPods.url(POD), token("alice", "standup", "publish"))) {
      wrong.send(message("joinRoom").put("name", "alice").put("room", "retro"));
      assertThat(wrong.next("error").path("message").asText()).isEqualTo("the join token is for room standup, not retro");
      assertThat(wrong.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4403);
    }
  }

  @Test
  void ungrantedActionsAreRefusedAndTheSocketCarriesOn() {
    try (BrowserSocket host = new BrowserSocket(SignalingPods.url(POD), token("host", "grants", "publish"));
        BrowserSocket guest = new BrowserSocket(SignalingPods.url(POD), token("guest", "grants", "subscribe"))) {
      CallSteps.joined(host, "host", "grants");
      CallSteps.publish(host, "host");
      CallSteps.joined(guest, "guest", "grants");
      guest.send(message("receiveVideoFrom").put("sender", "guest").put("sdpOffer", CallSteps.offer(CallSteps.SENDONLY)));
      assertThat(guest.next("error").path("message").asText()).contains("publish grant");
      guest.send(message("publishScreen").put("sdpOffer", CallSteps.offer(CallSteps.SENDONLY)));
      assertThat(guest.next("error").path("message").asText()).contains("publish grant");
      guest.send(message("presenter").put("sdpOffer", CallSteps.offer(CallSteps.SENDONLY)));
      assertThat(guest.next("error").path("message").asText()).contains("publish grant");
      guest.send(message("startRecording"));
      assertThat(guest.next("error").path("message").asText()).contains("record grant");
      CallSteps.subscribe(guest, "host");
      host.send(message("receiveVideoFrom").put("sender", "guest").put("sdpOffer", CallSteps.offer(CallSteps.RECVONLY)));
      assertThat(host.next("error").path("message").asText()).contains("subscribe grant");
      host.send(message("viewer").put("sdpOffer", CallSteps.offer(CallSteps.RECVONLY)));
      assertThat(host.next("error").path("message").asText()).contains("subscribe grant");
    }
  }

  @Test
  void aResumeIsHeldToTheSocketsToken() {
    String session;
    try (BrowserSocket alice = new BrowserSocket(SignalingPods.url(POD), token("alice", "resume", "subscribe"))) {
      session = CallSteps.joined(alice, "alice", "resume");
    }
    // Someone else's socket with alice's session token: refused, alice stays parked.
    try (BrowserSocket mallory = new BrowserSocket(SignalingPods.url(POD), token("mallory", "resume", "subscribe"))) {
      mallory.send(message("resume").put("token", session));
      assertThat(mallory.next("error").path("code").asText()).isEqualTo("not-allowed");
    }
    try (BrowserSocket alice = new BrowserSocket(SignalingPods.url(POD), token("alice", "resume", "subscribe"))) {
      alice.send(message("resume").put("token", session));
      assertThat(alice.next("resumed").path("name").asText()).isEqualTo("alice");
    }
  }
}
