package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static io.switchboard.signaling.CallSteps.joined;
import static io.switchboard.signaling.CallSteps.publish;
import static io.switchboard.signaling.CallSteps.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.kms.emulator.EmulatorConfig;
import io.switchboard.kms.emulator.KmsEmulator;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.launchers.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Media outlives signaling. A signaling pod (its own process, from signaling.jar) is killed with
 * SIGKILL mid-call: its participants resume on the other pod with the endpoints they had, which
 * KMS keeps although the dead pod's KMS session is collected; whoever does not resume is cleaned
 * up by the surviving pod's janitor after the grace period. A pod stopped with SIGTERM turns
 * not-ready and sends its clients to reconnect elsewhere first.
 */
class PodLossIT {

  static final Duration GRACE = Duration.ofSeconds(3);
  /** Both tests use one room (closed at the end of each) and the same pod names, as restarted pods would. */
  static final String ROOM = "call";
  static final RedisServerProcess REDIS = RedisServerProcess.start();
  /**
   * KMS collects a dead client's session after one to two periods (240 s on a real KMS): longer
   * here than a dead pod's timeout plus grace, as in production, so what the janitor releases is
   * the janitor's doing.
   */
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(1,
      EmulatorConfig.defaults().withGcPeriod(Duration.ofSeconds(12)));
  static final PlacementStub PLACEMENT = new PlacementStub(REDIS.url(), () -> KMS.node(0).url());

  @AfterAll
  static void stop() {
    PLACEMENT.close();
    KMS.close();
    REDIS.close();
  }

  /** Pod A: its own process, from signaling.jar. */
  private static ServiceProcess processPod(String pod, String... more) {
    List<String> all = new ArrayList<>(List.of("--spring.data.redis.url=" + REDIS.url(),
        "--switchboard.placement.url=" + PLACEMENT.url()));
    all.addAll(SignalingPods.FAST_HEARTBEATS);
    all.add(SignalingPods.OPEN_MODE);
    all.add(io.switchboard.testing.TestCredentials.SERVICE_TOKEN_SETTING);
    all.addAll(List.of(settings(pod, more)));
    return ServiceProcess.start("signaling", all.toArray(String[]::new));
  }

  /** Pod B: in this JVM. */
  private static ConfigurableApplicationContext jvmPod(String pod) {
    return SignalingPods.start(REDIS.url(), PLACEMENT.url(), settings(pod));
  }

  private static String[] settings(String pod, String... more) {
    List<String> all = new ArrayList<>(List.of("--switchboard.signaling.pod-id=" + pod,
        "--switchboard.signaling.resume-grace=" + GRACE.toMillis() + "ms"));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static KmsEmulator kms() {
    return KMS.node(0);
  }

  private static BrowserSocket socket(int port) {
    return new BrowserSocket("ws://127.0.0.1:" + port + "/groupcall");
  }





  private static JsonNode member(String name) {
    return SignalingState.member(PLACEMENT.redis(), ROOM, name);
  }

  @Test
  void participantsOfAKilledPodResumeOnAnotherWithTheirEndpointsAndTheRestAreCleanedUp() {
    ServiceProcess podA = processPod("pod-a");
    try (podA; ConfigurableApplicationContext podB = jvmPod("pod-b")) {
      int portB = SignalingPods.port(podB);
      try (BrowserSocket alice = socket(podA.port()); BrowserSocket bob = socket(podA.port());
          BrowserSocket dave = socket(podA.port()); BrowserSocket carol = socket(portB)) {
        // Alice publishes; Bob (who does not publish yet) and Carol, on pod B, receive her.
        String aliceToken = joined(alice, "alice", ROOM);
        publish(alice, "alice");
        String bobToken = joined(bob, "bob", ROOM);
        subscribe(bob, "alice");
        joined(dave, "dave", ROOM);
        joined(carol, "carol", ROOM);
        subscribe(carol, "alice");
        JsonNode aliceBefore = member("alice");
        JsonNode bobBefore = member("bob");
        String davesEndpoint = member("dave").path("publisher").asText();
        long endpoints = kms().server().count("WebRtcEndpoint");
        assertThat(endpoints).isEqualTo(6);
        // The pod's own log lines (its production log pattern) name room and participant.
        await().atMost(Duration.ofSeconds(5)).until(() ->
            podA.output().contains("[room=" + ROOM + " participant=alice]") && podA.output().contains("alice joined room"));
        // Pod A's KMS session: the one listening to Alice's publisher.
        String podAsSession = kms().server()
            .subscribedSessions(aliceBefore.path("publisher").asText(), "IceCandidateFound").iterator().next();

        podA.kill();
        assertThat(alice.closed).succeedsWithin(Duration.ofSeconds(5));
        assertThat(bob.closed).succeedsWithin(Duration.ofSeconds(5));

        try (BrowserSocket aliceAgain = socket(portB); BrowserSocket bobAgain = socket(portB)) {
          aliceAgain.send(message("resume").put("token", aliceToken));
          assertThat(aliceAgain.next("resumed").path("name").asText()).isEqualTo("alice");
          assertThat(aliceAgain.next("existingParticipants").path("data").toString())
              .isEqualTo("[\"bob\",\"dave\",\"carol\"]");
          bobAgain.send(message("resume").put("token", bobToken));
          assertThat(bobAgain.next("resumed").path("name").asText()).isEqualTo("bob");

          // The same endpoints, now pod B's; nothing was made again.
          assertTakenOverWithTheSameEndpoints("alice", aliceBefore);
          assertTakenOverWithTheSameEndpoints("bob", bobBefore);
          assertThat(kms().server().count("WebRtcEndpoint")).isEqualTo(endpoints);

          // Dave never came back: after the dead pod's beat lapsed and his grace ran out, he left.
          assertThat(carol.next("participantLeft").path("name").asText()).isEqualTo("dave");
          assertThat(aliceAgain.next("participantLeft").path("name").asText()).isEqualTo("dave");
          assertThat(SignalingState.isMember(PLACEMENT.redis(), ROOM, "dave")).isFalse();
          await().atMost(Duration.ofSeconds(5)).until(() -> !kms().server().exists(davesEndpoint));
          // Released by pod B's janitor: KMS has not collected the dead pod's session yet.
          assertThat(kms().server().sessionObjectCounts()).containsKey(podAsSession);

          // KMS collects the dead pod's session; what pod B took over stays, for pod B holds it now.
          await().atMost(Duration.ofSeconds(40)).until(() ->
              !kms().server().sessionObjectCounts().containsKey(podAsSession));
          assertThat(kms().server().exists(aliceBefore.path("publisher").asText())).isTrue();
          assertThat(kms().server().exists(bobBefore.path("publisher").asText())).isTrue();
          assertThat(kms().server().exists(bobBefore.path("subscriptions").path("alice").asText())).isTrue();
          // The dead pod is forgotten once its participants are seen to.
          await().atMost(Duration.ofSeconds(5)).until(() ->
              PLACEMENT.redis().smembers("sb:{pods}").equals(java.util.Set.of("pod-b")));
          assertThat(PLACEMENT.redis().exists("sb:{pods}:members:pod-a")).isZero();

          // Bob's publisher negotiates only now, through pod B, which hears its candidates.
          publish(bobAgain, "bob");
          assertThat(bobAgain.next("iceCandidate").path("name").asText()).isEqualTo("bob");
          subscribe(carol, "bob");
          // Nobody was told Alice or Bob left.
          assertThat(carol.drain("participantLeft")).isEmpty();
          assertThat(aliceAgain.drain("participantLeft")).isEmpty();
          assertThat(aliceAgain.drain("error")).isEmpty();
          assertThat(bobAgain.drain("error")).isEmpty();

          aliceAgain.send(message("leaveRoom"));
          bobAgain.send(message("leaveRoom"));
          assertThat(carol.next("participantLeft").path("name").asText()).isIn("alice", "bob");
          assertThat(carol.next("participantLeft").path("name").asText()).isIn("alice", "bob");
        }
        carol.send(message("leaveRoom"));
      }
      // The room closed: nothing of it is left on KMS or in Redis, and its placement was released.
      await().atMost(Duration.ofSeconds(10)).until(() -> kms().server().mediaObjectCount() == 0);
      await().atMost(Duration.ofSeconds(5)).until(() -> PLACEMENT.redis().keys("sb:{room:call}*").isEmpty());
      assertThat(PLACEMENT.redis().zcard("sb:{pods}:parked")).isZero();
      assertThat(PLACEMENT.calls()).contains("DELETE /v1/rooms/call/placement");
    }
  }

  private static void assertTakenOverWithTheSameEndpoints(String name, JsonNode before) {
    JsonNode after = member(name);
    assertThat(after.path("id")).isEqualTo(before.path("id"));
    assertThat(after.path("pod").asText()).isEqualTo("pod-b");
    assertThat(after.path("publisher")).isEqualTo(before.path("publisher"));
    assertThat(after.path("subscriptions")).isEqualTo(before.path("subscriptions"));
    assertThat(after.path("parkedUntil").asLong()).isZero();
  }

  @Test
  void aStoppingPodSendsItsClientsElsewhereAndLeavesTheirMediaAlone() throws Exception {
    ServiceProcess podA = processPod("pod-a", "--switchboard.signaling.shutdown-drain=5s");
    try (podA; ConfigurableApplicationContext podB = jvmPod("pod-b");
        BrowserSocket alice = socket(podA.port()); BrowserSocket dave = socket(podA.port())) {
      int portB = SignalingPods.port(podB);
      try (BrowserSocket carol = socket(portB)) {
        String aliceToken = joined(alice, "alice", ROOM);
        publish(alice, "alice");
        joined(dave, "dave", ROOM); // the tutorial's client: it knows nothing of reconnect
        joined(carol, "carol", ROOM);
        subscribe(carol, "alice");
        JsonNode aliceBefore = member("alice");
        long endpoints = kms().server().count("WebRtcEndpoint");

        podA.terminate();
        assertThat(alice.next("reconnect").path("reason").asText()).contains("stopping");
        // Not ready any more, so no new sockets are routed to it.
        java.net.http.HttpResponse<Void> readiness = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(podA.baseUrl() + "/actuator/health/readiness")).build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(readiness.statusCode()).isEqualTo(503);

        try (BrowserSocket aliceAgain = socket(portB)) {
          aliceAgain.send(message("resume").put("token", aliceToken));
          assertThat(aliceAgain.next("resumed").path("name").asText()).isEqualTo("alice");
          // Her old socket goes as soon as pod B has her; Dave's when the drain time is up.
          assertThat(alice.closed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(4000);
          assertThat(dave.closed).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1012);
          // His socket closed before the pod went: he waits for a resume, parked.
          await().atMost(Duration.ofSeconds(10)).until(() -> member("dave").path("parkedUntil").asLong() > 0);
          assertThat(podA.awaitExit(Duration.ofSeconds(30))).as("pod A exits").isTrue();
          // It withdrew its beat on the way out (a lapse would take up to 2 s more).
          assertThat(PLACEMENT.redis().exists("sb:{pods}:alive:pod-a")).isZero();

          assertTakenOverWithTheSameEndpoints("alice", aliceBefore);
          // Dave was parked when his socket closed, and leaves when his grace runs out: pod A
          // withdrew its beat on the way out, so pod B need not wait for it to lapse.
          assertThat(carol.next("participantLeft").path("name").asText()).isEqualTo("dave");
          assertThat(kms().server().count("WebRtcEndpoint")).isEqualTo(endpoints - 1);
          assertThat(carol.drain("participantLeft")).isEmpty();
          aliceAgain.send(message("leaveRoom"));
          assertThat(carol.next("participantLeft").path("name").asText()).isEqualTo("alice");
        }
        carol.send(message("leaveRoom"));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> kms().server().mediaObjectCount() == 0);
    }
  }
}
