package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Whom a pod serves and what it lets them do (docs/gateway.md, "Identity"): with an identity secret
 * only what the gateway signed counts; in open mode (require-identity=false, no secret) anyone, the
 * plain X-Switchboard-* headers narrowing it; with neither, nobody. A join elsewhere than the token
 * says closes with 4403; an action not granted is refused and the socket carries on; a resume is
 * held to the same rules.
 */
class JoinTokenEnforcementIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(1);
  static final PlacementStub PLACEMENT = new PlacementStub(REDIS.url(), () -> KMS.node(0).url());
  static final String IDENTITY_SECRET = "the-gateway-and-pods-share-this-32-bytes+";
  /** A pod that believes only identities the gateway signed, as every pod in production. */
  static final ConfigurableApplicationContext SIGNED_POD = SignalingPods.start(REDIS.url(), PLACEMENT.url(),
      "--switchboard.signaling.identity-secret=" + IDENTITY_SECRET);
  /** Development's open mode: anyone, narrowed by the plain headers of a gateway without a secret. */
  static final ConfigurableApplicationContext OPEN_POD = SignalingPods.start(REDIS.url(), PLACEMENT.url(),
      "--switchboard.signaling.require-identity=false");
  /** Started with neither a secret nor open mode: serves nobody. */
  static final ConfigurableApplicationContext UNCONFIGURED_POD = SignalingPods.startWithoutIdentitySettings(
      REDIS.url(), PLACEMENT.url());

  @AfterAll
  static void stop() {
    UNCONFIGURED_POD.close();
    OPEN_POD.close();
    SIGNED_POD.close();
    PLACEMENT.close();
    KMS.close();
    REDIS.close();
  }

  /** Plain identity headers, as a gateway without an identity secret sets them (and anyone could). */
  static Map<String, String> headers(String identity, String room, String grants) {
    return Map.of("X-Switchboard-Identity", identity, "X-Switchboard-Room", room, "X-Switchboard-Grants", grants);
  }

  /** What the gateway sends for a socket it admitted with this token. */
  static Map<String, String> token(String identity, String room, String grants) {
    try {
      return Map.of("X-Switchboard-Assertion", assertion(IDENTITY_SECRET, identity, room,
          java.util.List.of(grants.split(",")), "switchboard-signaling"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aPodWithASecretRefusesASocketThatDidNotComeThroughTheGateway() throws Exception {
    try (BrowserSocket anonymous = new BrowserSocket(SignalingPods.url(SIGNED_POD))) {
      assertThat(anonymous.next("error").path("message").asText())
          .isEqualTo("this pod serves only sockets the gateway admitted: connect through the gateway");
      assertThat(anonymous.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4403);
    }
  }

  @Test
  void aPodStartedWithoutSecretOrOpenModeServesNobodyAndSaysWhy() throws Exception {
    for (Map<String, String> h : java.util.List.of(Map.<String, String>of(), headers("alice", "standup", "publish"))) {
      try (BrowserSocket s = new BrowserSocket(SignalingPods.url(UNCONFIGURED_POD), h)) {
        JsonNode error = s.next("error");
        assertThat(error.path("code").asText()).isEqualTo("not-allowed");
        assertThat(error.path("message").asText()).contains("switchboard.signaling.identity-secret")
            .contains("switchboard.signaling.require-identity=false");
        assertThat(s.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4403);
      }
    }
  }

  @Test
  void aRoomOrGrantsWithoutTheIdentityAreRefusedNotTakenForAnyone() throws Exception {
    // What an open pod would see had a client talked a proxy into dropping the identity header.
    try (BrowserSocket stripped = new BrowserSocket(SignalingPods.url(OPEN_POD),
        Map.of("X-Switchboard-Room", "standup", "X-Switchboard-Grants", "subscribe"))) {
      assertThat(stripped.next("error").path("message").asText()).isEqualTo("incomplete identity headers");
      assertThat(stripped.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4403);
    }
  }

  static String assertion(String secret, String identity, String room, java.util.List<String> grants, String audience)
      throws Exception {
    com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
        new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
        new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(identity).claim("room", room).claim("grants", grants)
            .audience(audience).expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).build());
    jwt.sign(new com.nimbusds.jose.crypto.MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  static String openAssertion(String secret) throws Exception {
    com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
        new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
        new com.nimbusds.jwt.JWTClaimsSet.Builder().claim("open", true).audience("switchboard-signaling")
            .expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).build());
    jwt.sign(new com.nimbusds.jose.crypto.MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  @Test
  void withAnIdentitySecretOnlyWhatTheGatewaySignedCounts() throws Exception {
    String url = SignalingPods.url(SIGNED_POD);
    // Plain headers, as anything in the cluster could send them: refused.
    try (BrowserSocket forged = new BrowserSocket(url, headers("ceo", "board", "admin"))) {
      assertThat(forged.next("error").path("message").asText())
          .isEqualTo("this pod serves only sockets the gateway admitted: connect through the gateway");
      assertThat(forged.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4403);
    }
    // Signed with another secret, or for another audience: refused.
    for (String bad : java.util.List.of(
        assertion("another-secret-another-secret-another-secret", "ceo", "board", java.util.List.of("admin"),
            "switchboard-signaling"),
        assertion(IDENTITY_SECRET, "ceo", "board", java.util.List.of("admin"), "somebody-else"),
        openAssertion("another-secret-another-secret-another-secret"))) {
      try (BrowserSocket s = new BrowserSocket(url, Map.of("X-Switchboard-Assertion", bad))) {
        assertThat(s.next("error").path("message").asText()).contains("assertion is invalid or expired");
        assertThat(s.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4403);
      }
    }
    // Signed by the gateway: its claims are the socket's access, whatever the plain headers say.
    try (BrowserSocket alice = new BrowserSocket(url, Map.of("X-Switchboard-Assertion",
        assertion(IDENTITY_SECRET, "alice", "signed", java.util.List.of("subscribe"), "switchboard-signaling"),
        "X-Switchboard-Identity", "ceo", "X-Switchboard-Grants", "admin"))) {
      CallSteps.joined(alice, "alice", "signed");
      alice.send(message("startRecording"));
      assertThat(alice.next("error").path("message").asText()).contains("record grant");
    }
    // Admitted by the gateway in open mode (no token): anyone.
    try (BrowserSocket anyone = new BrowserSocket(url, Map.of("X-Switchboard-Assertion", openAssertion(IDENTITY_SECRET)))) {
      CallSteps.joined(anyone, "bob", "signed");
    }
  }

  @Test
  void anOpenPodServesAnyoneAndHoldsPlainHeadersToTheirWord() throws Exception {
    try (BrowserSocket anyone = new BrowserSocket(SignalingPods.url(OPEN_POD))) {
      CallSteps.joined(anyone, "carol", "open");
    }
    try (BrowserSocket zoe = new BrowserSocket(SignalingPods.url(OPEN_POD),
        headers("Zo%C3%AB", "Q%26A%20room", "subscribe"))) {
      CallSteps.joined(zoe, "Zoë", "Q&A room");
    }
  }

  @Test
  void aJoinElsewhereThanTheTokenSaysClosesTheSocket() throws Exception {
    try (BrowserSocket wrong = new BrowserSocket(SignalingPods.url(SIGNED_POD), token("alice", "standup", "publish"))) {
      wrong.send(message("joinRoom").put("name", "alice").put("room", "retro"));
      assertThat(wrong.next("error").path("message").asText()).isEqualTo("the join token is for room standup, not retro");
      assertThat(wrong.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4403);
    }
  }

  @Test
  void ungrantedActionsAreRefusedAndTheSocketCarriesOn() {
    try (BrowserSocket host = new BrowserSocket(SignalingPods.url(SIGNED_POD), token("host", "grants", "publish"));
        BrowserSocket guest = new BrowserSocket(SignalingPods.url(SIGNED_POD), token("guest", "grants", "subscribe"))) {
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
    try (BrowserSocket alice = new BrowserSocket(SignalingPods.url(SIGNED_POD), token("alice", "resume", "subscribe"))) {
      session = CallSteps.joined(alice, "alice", "resume");
    }
    // Someone else's socket with alice's session token: refused, alice stays parked.
    try (BrowserSocket mallory = new BrowserSocket(SignalingPods.url(SIGNED_POD), token("mallory", "resume", "subscribe"))) {
      mallory.send(message("resume").put("token", session));
      assertThat(mallory.next("error").path("code").asText()).isEqualTo("not-allowed");
    }
    try (BrowserSocket alice = new BrowserSocket(SignalingPods.url(SIGNED_POD), token("alice", "resume", "subscribe"))) {
      alice.send(message("resume").put("token", session));
      assertThat(alice.next("resumed").path("name").asText()).isEqualTo("alice");
    }
  }

  private static double count(String meter, String tag, String value) {
    io.micrometer.core.instrument.MeterRegistry registry = SIGNED_POD.getBean(
        io.micrometer.core.instrument.MeterRegistry.class);
    return registry.find(meter).tags(tag, value).counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  /**
   * Before it turns ready a pod rehearses its socket path over loopback (SocketRehearsal): its
   * sockets show a one-time key instead of an identity, are answered as a browser's are before it
   * joins, count in no meter and join nothing; once the rehearsal is over the key opens nothing.
   */
  @Test
  void aPodsRehearsalSocketsAreUnmeteredJoinNothingAndTheirKeyOpensNothingAfter() throws Exception {
    io.switchboard.signaling.ws.GroupCallSocketHandler handler = SIGNED_POD.getBean(
        io.switchboard.signaling.ws.GroupCallSocketHandler.class);
    assertThat(handler.rehearsalSockets()).as("rehearsed as it started (2 KMS rehearsals: 1 socket)").isEqualTo(1);

    double notJoined = count("switchboard.signaling.errors", "code", "not-joined");
    double offers = count("switchboard.signaling.messages", "id", "receiveVideoFrom");
    io.switchboard.signaling.ws.SocketRehearsal.Outcome outcome = io.switchboard.signaling.ws.SocketRehearsal.rehearse(
        handler, java.net.URI.create(SignalingPods.url(SIGNED_POD)), 3,
        io.switchboard.signaling.domain.MediaWarmup.rehearsalOffer());
    assertThat(outcome).isEqualTo(new io.switchboard.signaling.ws.SocketRehearsal.Outcome(3, 120, 120));
    assertThat(count("switchboard.signaling.errors", "code", "not-joined")).isEqualTo(notJoined);
    assertThat(count("switchboard.signaling.messages", "id", "receiveVideoFrom")).isEqualTo(offers);

    String key = handler.openRehearsal();
    try {
      try (BrowserSocket rehearsal = new BrowserSocket(SignalingPods.url(SIGNED_POD),
          Map.of(io.switchboard.signaling.ws.SocketRehearsal.HEADER, key))) {
        rehearsal.send(message("joinRoom").put("name", "rehearsal").put("room", "anywhere"));
        JsonNode refused = rehearsal.next("error");
        assertThat(refused.path("code").asText()).isEqualTo("not-allowed");
        assertThat(refused.path("message").asText()).isEqualTo("a rehearsal socket joins nothing");
        rehearsal.send(message("resume").put("token", "pV0c1cYqZ7Wm3w2m0b0x4l8N3l5y0Qe6m9Tq2Kc1Hk4"));
        assertThat(rehearsal.next("error").path("code").asText()).isEqualTo("not-allowed");
        rehearsal.send(message("chat").put("text", "hello"));
        assertThat(rehearsal.next("error").path("code").asText()).isEqualTo("not-joined");
      }
      try (BrowserSocket guess = new BrowserSocket(SignalingPods.url(SIGNED_POD),
          Map.of(io.switchboard.signaling.ws.SocketRehearsal.HEADER, key.substring(1) + "A"))) {
        assertThat(guess.next("error").path("code").asText()).as("a wrong key").isEqualTo("not-allowed");
        assertThat(guess.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4403);
      }
    } finally {
      handler.closeRehearsal();
    }
    try (BrowserSocket late = new BrowserSocket(SignalingPods.url(SIGNED_POD),
        Map.of(io.switchboard.signaling.ws.SocketRehearsal.HEADER, key))) {
      assertThat(late.next("error").path("message").asText()).as("the key once the rehearsal is over")
          .isEqualTo("this pod serves only sockets the gateway admitted: connect through the gateway");
      assertThat(late.closed.get(5, TimeUnit.SECONDS)).isEqualTo(4403);
    }
  }
}
