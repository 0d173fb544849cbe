package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static io.switchboard.signaling.CallSteps.candidate;
import static io.switchboard.signaling.CallSteps.offer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.kms.emulator.KmsEmulator;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The group call over a real socket, with real Redis and a KMS emulator driven by kurento-client.
 * Placement is a stand-in that speaks its HTTP contract (docs/placement.md) and always answers
 * with the one emulator; the test with the real placement service is a cluster test to come.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Its Redis and KMS stop with the class: so does its pod, rather than lingering in the context cache.
@org.springframework.test.annotation.DirtiesContext(classMode = org.springframework.test.annotation.DirtiesContext.ClassMode.AFTER_CLASS)
class GroupCallIT {

  /** How long a disconnected participant waits for a resume, here (15 s by default). */
  static final Duration GRACE = Duration.ofSeconds(2);
  /** Where the emulated KMS "records" (it checks the directory as KMS does; it writes nothing). */
  static final java.nio.file.Path RECORDINGS = recordings();
  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(1);
  static final PlacementStub PLACEMENT = new PlacementStub(REDIS.url(), () -> KMS.node(0).url());

  @org.springframework.beans.factory.annotation.Autowired
  io.micrometer.core.instrument.MeterRegistry meters;

  /** Browser candidates this pod kept from KMS, for {@code reason}. */
  double dropped(String reason) {
    io.micrometer.core.instrument.Counter c = meters.find("switchboard.signaling.ice.candidates.dropped")
        .tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.url", REDIS::url);
    registry.add("switchboard.placement.url", () -> PLACEMENT.url());
    registry.add("switchboard.signaling.require-identity", () -> "false"); // browsers straight to the pod
    registry.add("switchboard.signaling.ice.blocked-ranges", () -> "10.100.0.0/16,fd00:10::/32"); // "the cluster"
    registry.add("switchboard.signaling.messages-per-second", () -> "20");
    registry.add("switchboard.signaling.message-burst", () -> "40");
    registry.add("switchboard.signaling.kms-request-timeout", () -> "1500ms");
    registry.add("switchboard.signaling.resume-grace", () -> GRACE.toMillis() + "ms");
    registry.add("switchboard.signaling.room.recording-uri", () -> RECORDINGS.toUri() + "{room}-{name}-{time}.webm");
    SignalingPods.FAST_HEARTBEATS.forEach(setting -> {
      String[] kv = setting.substring(2).split("=", 2);
      registry.add(kv[0], () -> kv[1]);
    });
  }

  @AfterAll
  static void stop() {
    PLACEMENT.close();
    KMS.close();
    REDIS.close();
  }

  @LocalServerPort
  int port;

  @org.springframework.beans.factory.annotation.Value("${local.management.port}")
  int managementPort;

  /** Rooms of earlier tests close as their sockets go: every test starts from an empty KMS. */
  @org.junit.jupiter.api.BeforeEach
  void noRoomsLeft() {
    await().atMost(Duration.ofSeconds(10)).until(() -> kms().server().mediaObjectCount() == 0);
  }

  private BrowserSocket browser() {
    return new BrowserSocket("ws://127.0.0.1:" + port + "/groupcall");
  }

  private static KmsEmulator kms() {
    return KMS.node(0);
  }


  private static BrowserSocket join(BrowserSocket socket, String name, String room) {
    socket.send(message("joinRoom").put("name", name).put("room", room));
    return socket;
  }

  @Test
  void theTutorialsGroupCallWithThreeParticipants() {
    try (BrowserSocket alice = browser(); BrowserSocket bob = browser(); BrowserSocket carol = browser()) {
      join(alice, "alice", "tutorial");
      assertThat(alice.next("existingParticipants").path("data")).isEmpty();
      // Publish: receiveVideoFrom with one's own name, as the tutorial's client does.
      alice.send(message("receiveVideoFrom").put("sender", "alice")
          .put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
      JsonNode answer = alice.next("receiveVideoAnswer");
      assertThat(answer.path("name").asText()).isEqualTo("alice");
      assertThat(answer.path("sdpAnswer").asText()).startsWith("v=0").contains("a=recvonly");
      JsonNode candidate = alice.next("iceCandidate");
      assertThat(candidate.path("name").asText()).isEqualTo("alice");
      assertThat(candidate.path("candidate").path("candidate").asText()).startsWith("candidate:");
      alice.send(message("onIceCandidate").put("name", "alice").set("candidate", candidate(1, 50000)));

      join(bob, "bob", "tutorial");
      assertThat(bob.next("existingParticipants").path("data").toString()).isEqualTo("[\"alice\"]");
      assertThat(alice.next("newParticipantArrived").path("name").asText()).isEqualTo("bob");
      // A candidate that arrives before its endpoint exists is kept, not dropped.
      bob.send(message("onIceCandidate").put("name", "alice").set("candidate", candidate(2, 50001)));
      bob.send(message("receiveVideoFrom").put("sender", "alice")
          .put("sdpOffer", offer("02-recvonly-audio-video.offer.chromium.sdp")));
      JsonNode bobGetsAlice = bob.next("receiveVideoAnswer");
      assertThat(bobGetsAlice.path("name").asText()).isEqualTo("alice");
      assertThat(bobGetsAlice.path("sdpAnswer").asText()).contains("a=sendonly");
      assertThat(bob.next("iceCandidate").path("name").asText()).isEqualTo("alice");

      // Placement hears of every endpoint and participant (its LoadReport contract).
      await().atMost(Duration.ofSeconds(5)).until(() -> "3".equals(placementRoom("tutorial").get("reported")));
      assertThat(placementRoom("tutorial")).containsEntry("participants", "2");

      join(carol, "carol", "tutorial");
      assertThat(carol.next("existingParticipants").path("data").toString()).isEqualTo("[\"alice\",\"bob\"]");
      assertThat(alice.next("newParticipantArrived").path("name").asText()).isEqualTo("carol");
      assertThat(bob.next("newParticipantArrived").path("name").asText()).isEqualTo("carol");

      // 1 pipeline, 3 publishers, 1 subscription.
      assertThat(kms().server().count("MediaPipeline")).isEqualTo(1);
      assertThat(kms().server().count("WebRtcEndpoint")).isEqualTo(4);

      bob.send(message("leaveRoom"));
      assertThat(alice.next("participantLeft").path("name").asText()).isEqualTo("bob");
      assertThat(carol.next("participantLeft").path("name").asText()).isEqualTo("bob");
      await().atMost(Duration.ofSeconds(15)).until(() -> kms().server().count("WebRtcEndpoint") == 2);
      // The load is reported on a thread of its own, after the endpoints are released.
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
          assertThat(placementRoom("tutorial")).containsEntry("reported", "2").containsEntry("participants", "2"));

      alice.send(message("leaveRoom"));
      carol.send(message("leaveRoom"));
      await().atMost(Duration.ofSeconds(15)).until(() -> kms().server().count("MediaPipeline") == 0);
      await().atMost(Duration.ofSeconds(15)).until(() -> PLACEMENT.calls().contains("DELETE /v1/rooms/tutorial/placement"));
      assertThat(PLACEMENT.calls()).contains("PUT /v1/rooms/tutorial/placement");
    }
  }

  @Test
  void aSocketsOffersAreNegotiatedSideBySide() {
    List<String> senders = List.of("alice", "bob", "carol", "dave");
    List<BrowserSocket> sockets = new java.util.ArrayList<>();
    try (BrowserSocket eve = browser()) {
      for (String name : senders) {
        BrowserSocket s = join(browser(), name, "side-by-side");
        sockets.add(s);
        s.next("existingParticipants");
        s.send(message("receiveVideoFrom").put("sender", name)
            .put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
        s.next("receiveVideoAnswer");
      }
      join(eve, "eve", "side-by-side");
      assertThat(eve.next("existingParticipants").path("data")).hasSize(4);
      kms().faults().latency(Duration.ofMillis(400));
      try {
        long started = System.nanoTime();
        // As a browser does on existingParticipants: an offer for everyone, at once.
        for (String sender : senders) {
          eve.send(message("receiveVideoFrom").put("sender", sender)
              .put("sdpOffer", offer("02-recvonly-audio-video.offer.chromium.sdp")));
        }
        java.util.Set<String> answered = new java.util.HashSet<>();
        for (int i = 0; i < senders.size(); i++) {
          answered.add(eve.next("receiveVideoAnswer").path("name").asText());
        }
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(answered).containsExactlyInAnyOrderElementsOf(senders);
        // Each subscription waits for three KMS round trips one after another (its endpoint, the
        // endpoint's ICE listener, then connect and processOffer together): 4 × 1,200 ms in turn.
        assertThat(tookMillis).as("four subscriptions of one socket side by side, not 4 × 1,200 ms in turn")
            .isLessThan(3_000);
      } finally {
        kms().faults().latency(Duration.ZERO);
      }
    } finally {
      sockets.forEach(BrowserSocket::close);
    }
  }

  @Test
  void concurrentFirstJoinsOpenOneRoomWithOnePipeline() throws Exception {
    long pipelinesBefore = 0;
    List<BrowserSocket> sockets = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      sockets.add(browser());
    }
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<Thread> joiners = new java.util.ArrayList<>();
      for (int i = 0; i < sockets.size(); i++) {
        BrowserSocket s = sockets.get(i);
        String name = "p" + i;
        Thread t = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          join(s, name, "rush");
        });
        t.start();
        joiners.add(t);
      }
      go.countDown();
      for (Thread t : joiners) {
        t.join();
      }
      for (BrowserSocket s : sockets) {
        s.next("existingParticipants");
      }
      assertThat(kms().server().count("MediaPipeline")).isEqualTo(pipelinesBefore + 1);
    } finally {
      sockets.forEach(BrowserSocket::close);
    }
    // Closing every socket ends the room and releases its pipeline.
    await().atMost(Duration.ofSeconds(5)).until(() -> kms().server().count("MediaPipeline") == pipelinesBefore);
  }

  @Test
  void aRoomSpreadOverTwoPodsWorksLikeOne() {
    try (org.springframework.context.ConfigurableApplicationContext podB = anotherPod("--switchboard.signaling.pod-id=pod-b")) {
      int portB = SignalingPods.port(podB);
      try (BrowserSocket alice = browser(); BrowserSocket bob = new BrowserSocket("ws://127.0.0.1:" + portB + "/groupcall");
          BrowserSocket carol = browser()) {
        join(alice, "alice", "spread").next("existingParticipants");
        join(bob, "bob", "spread");
        assertThat(bob.next("existingParticipants").path("data").toString()).isEqualTo("[\"alice\"]");
        // Alice is on this pod, Bob on pod B: the join crossed pods through Redis.
        assertThat(alice.next("newParticipantArrived").path("name").asText()).isEqualTo("bob");

        alice.send(message("receiveVideoFrom").put("sender", "alice")
            .put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
        alice.next("receiveVideoAnswer");
        bob.send(message("receiveVideoFrom").put("sender", "alice")
            .put("sdpOffer", offer("02-recvonly-audio-video.offer.chromium.sdp")));
        assertThat(bob.next("receiveVideoAnswer").path("name").asText()).isEqualTo("alice");
        assertThat(bob.next("iceCandidate").path("name").asText()).isEqualTo("alice");
        // The same pipeline serves both pods' endpoints.
        assertThat(kms().server().count("MediaPipeline")).isEqualTo(1);

        join(carol, "carol", "spread");
        assertThat(carol.next("existingParticipants").path("data").toString()).isEqualTo("[\"alice\",\"bob\"]");
        assertThat(bob.next("newParticipantArrived").path("name").asText()).isEqualTo("carol");
        assertThat(alice.next("newParticipantArrived").path("name").asText()).isEqualTo("carol");

        bob.send(message("leaveRoom"));
        assertThat(alice.next("participantLeft").path("name").asText()).isEqualTo("bob");
        assertThat(carol.next("participantLeft").path("name").asText()).isEqualTo("bob");
        // Nobody hears of anyone twice.
        assertThat(alice.drain("newParticipantArrived")).isEmpty();
        assertThat(carol.drain("newParticipantArrived")).isEmpty();
      }
    }
  }

  /**
   * The last member leaving closes the room while someone else joins it: the join either lands
   * in the old room before it closes (which then stays open) or starts over in a new one; it never
   * adds a member to a room being deleted, which would leave a member list without a room.
   */
  @Test
  void joinsRacingTheRoomsCloseNeverLeaveAGhostRoom() throws Exception {
    int rounds = 15;
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> churners = new java.util.ArrayList<>();
    for (String name : List.of("gus", "hal")) {
      Thread t = new Thread(() -> {
        try (BrowserSocket s = browser()) {
          for (int i = 0; i < rounds; i++) {
            join(s, name, "churn").next("existingParticipants");
            s.send(message("leaveRoom"));
          }
          assertThat(s.drain("error")).isEmpty();
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      t.start();
      churners.add(t);
    }
    for (Thread t : churners) {
      t.join();
    }
    assertThat(failures).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> kms().server().mediaObjectCount() == 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> PLACEMENT.redis().keys("sb:{room:churn}*").isEmpty());
  }

  /**
   * A dropped socket is not a leave: the participant, its endpoints and its place in the room stay
   * for the grace period, and a new socket with the session token takes them over; the others
   * notice nothing. Without a resume in time the participant leaves as before.
   */
  @Test
  void aDroppedSocketResumesWithItsTokenAndTheRoomNoticesNothing() {
    try (BrowserSocket bob = browser()) {
      BrowserSocket alice = browser();
      join(alice, "alice", "resumable").next("existingParticipants");
      String token = alice.next("session").path("token").asText();
      assertThat(token).matches("[A-Za-z0-9_-]{43}");
      alice.send(message("receiveVideoFrom").put("sender", "alice")
          .put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
      alice.next("receiveVideoAnswer");
      join(bob, "bob", "resumable").next("existingParticipants");
      alice.next("newParticipantArrived");
      long endpoints = kms().server().count("WebRtcEndpoint");

      alice.close(); // the network dropped
      try (BrowserSocket again = browser()) {
        again.send(message("resume").put("token", token));
        JsonNode resumed = again.next("resumed");
        assertThat(resumed.path("name").asText()).isEqualTo("alice");
        assertThat(resumed.path("room").asText()).isEqualTo("resumable");
        // The token is spent: the socket gets a new one for its next resume.
        String rotated = again.next("session").path("token").asText();
        assertThat(rotated).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(token);
        assertThat(again.next("existingParticipants").path("data").toString()).isEqualTo("[\"bob\"]");
        // The same endpoints serve on: nothing was released or made again.
        assertThat(kms().server().count("WebRtcEndpoint")).isEqualTo(endpoints);
        // The resumed socket is Alice: it subscribes, and hears of newcomers.
        again.send(message("receiveVideoFrom").put("sender", "bob")
            .put("sdpOffer", offer("02-recvonly-audio-video.offer.chromium.sdp")));
        assertThat(again.next("receiveVideoAnswer").path("name").asText()).isEqualTo("bob");
        try (BrowserSocket carol = browser()) {
          join(carol, "carol", "resumable");
          assertThat(carol.next("existingParticipants").path("data").toString()).isEqualTo("[\"alice\",\"bob\"]");
          assertThat(again.next("newParticipantArrived").path("name").asText()).isEqualTo("carol");
        }
        // Carol's socket closed after Alice's: her grace period ends later, and she is the first
        // (and only) one Bob hears has left. Had Alice's grace run out, Bob would hear of her first.
        assertThat(bob.next("participantLeft").path("name").asText()).isEqualTo("carol");
        assertThat(bob.drain("participantLeft")).isEmpty();
        // The spent token resumes nothing; the new one is Alice's session, and resuming it on
        // another socket while hers is open moves her again.
        try (BrowserSocket third = browser()) {
          third.send(message("resume").put("token", token));
          assertThat(third.next("error").path("code").asText()).isEqualTo("invalid-token");
          third.send(message("resume").put("token", rotated));
          third.next("resumed");
          // The socket she left open is closed: one socket speaks for a participant.
          assertThat(again.closed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(4000);
          third.send(message("leaveRoom"));
          assertThat(bob.next("participantLeft").path("name").asText()).isEqualTo("alice");
        }
      }
      // Left: the token is spent.
      try (BrowserSocket late = browser()) {
        late.send(message("resume").put("token", token));
        assertThat(late.next("error").path("code").asText()).isEqualTo("invalid-token");
      }
    }
  }

  /**
   * A session resumes on another pod with the endpoints it had: the new pod listens to them
   * itself (KMS sends events only to the session that subscribed), the old pod lets go of the
   * participant without releasing anything and closes the socket it still had.
   */
  @Test
  void aSessionResumesOnAnotherPodWithItsEndpoints() throws Exception {
    try (org.springframework.context.ConfigurableApplicationContext podB = anotherPod("--switchboard.signaling.pod-id=pod-b");
        BrowserSocket bob = browser()) {
      int portB = SignalingPods.port(podB);
      BrowserSocket alice = browser();
      join(alice, "alice", "moving").next("existingParticipants");
      String token = alice.next("session").path("token").asText();
      join(bob, "bob", "moving").next("existingParticipants");
      alice.next("newParticipantArrived");
      bob.send(message("receiveVideoFrom").put("sender", "bob")
          .put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
      bob.next("receiveVideoAnswer");
      alice.send(message("receiveVideoFrom").put("sender", "bob")
          .put("sdpOffer", offer("02-recvonly-audio-video.offer.chromium.sdp")));
      alice.next("receiveVideoAnswer");
      JsonNode before = member("moving", "alice");
      assertThat(before.path("pod").asText()).isNotEqualTo("pod-b");
      assertThat(before.path("subscriptions").path("bob").asText()).isNotEmpty();
      long endpoints = kms().server().count("WebRtcEndpoint");

      // Alice's socket is still open on this pod when she resumes on pod B (a half-dead connection).
      try (BrowserSocket again = new BrowserSocket("ws://127.0.0.1:" + portB + "/groupcall")) {
        again.send(message("resume").put("token", token));
        assertThat(again.next("resumed").path("name").asText()).isEqualTo("alice");
        assertThat(again.next("existingParticipants").path("data").toString()).isEqualTo("[\"bob\"]");
        assertThat(alice.closed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(4000);

        JsonNode after = member("moving", "alice");
        assertThat(after.path("pod").asText()).isEqualTo("pod-b");
        assertThat(after.path("publisher").asText()).isEqualTo(before.path("publisher").asText());
        assertThat(after.path("subscriptions")).isEqualTo(before.path("subscriptions"));
        assertThat(kms().server().count("WebRtcEndpoint")).isEqualTo(endpoints);
        // Only pod B's KMS session listens to her endpoints now: this pod stopped when she moved.
        String publisher = after.path("publisher").asText();
        String subscription = after.path("subscriptions").path("bob").asText();
        await().atMost(Duration.ofSeconds(5)).until(() ->
            kms().server().subscribedSessions(publisher, "IceCandidateFound").size() == 1
                && kms().server().subscribedSessions(subscription, "IceCandidateFound").size() == 1);
        String podBsSession = kms().server().subscribedSessions(publisher, "IceCandidateFound").iterator().next();
        assertThat(kms().server().subscribedSessions(subscription, "IceCandidateFound")).containsExactly(podBsSession);

        // Her publisher endpoint negotiates only now, through pod B: its candidates reach her there.
        again.send(message("receiveVideoFrom").put("sender", "alice")
            .put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
        assertThat(again.next("receiveVideoAnswer").path("name").asText()).isEqualTo("alice");
        assertThat(again.next("iceCandidate").path("name").asText()).isEqualTo("alice");
        // Her subscription to Bob is still hers: a candidate for it is taken, and Bob can receive her.
        again.send(message("onIceCandidate").put("name", "bob").set("candidate", candidate(3, 50002)));
        bob.send(message("receiveVideoFrom").put("sender", "alice")
            .put("sdpOffer", offer("02-recvonly-audio-video.offer.chromium.sdp")));
        assertThat(bob.next("receiveVideoAnswer").path("name").asText()).isEqualTo("alice");
        assertThat(again.drain("error")).isEmpty();

        // This pod's grace period for her old socket must not remove her: she is pod B's now.
        Thread.sleep(GRACE.toMillis() + 1_000);
        assertThat(bob.drain("participantLeft")).isEmpty();
        assertThat(member("moving", "alice").path("pod").asText()).isEqualTo("pod-b");

        again.send(message("leaveRoom"));
        assertThat(bob.next("participantLeft").path("name").asText()).isEqualTo("alice");
        await().atMost(Duration.ofSeconds(5)).until(() -> kms().server().count("WebRtcEndpoint") == 1);
      }
    }
  }

  /** Media state and chat travel through the room as joins do, across pods. */
  @Test
  void mediaStateAndChatReachTheRoomAcrossPods() {
    try (org.springframework.context.ConfigurableApplicationContext podB = anotherPod("--switchboard.signaling.pod-id=pod-b");
        BrowserSocket alice = browser(); BrowserSocket bob = new BrowserSocket(SignalingPods.url(podB));
        BrowserSocket carol = browser()) {
      join(alice, "alice", "chatty").next("existingParticipants");
      join(bob, "bob", "chatty").next("existingParticipants");
      join(carol, "carol", "chatty").next("existingParticipants");

      alice.send(message("mediaState").put("audio", false).put("video", true));
      for (BrowserSocket s : List.of(alice, bob, carol)) {
        JsonNode state = s.next("participantMediaState");
        assertThat(state.path("name").asText()).isEqualTo("alice");
        assertThat(state.path("audio").asBoolean()).isFalse();
        assertThat(state.path("video").asBoolean()).isTrue();
      }
      // A newcomer learns it with the room's list.
      try (BrowserSocket dave = browser()) {
        join(dave, "dave", "chatty");
        JsonNode existing = dave.next("existingParticipants");
        assertThat(existing.path("participants").get(0).path("name").asText()).isEqualTo("alice");
        assertThat(existing.path("participants").get(0).path("audio").asBoolean()).isFalse();
        assertThat(existing.path("participants").get(1).path("audio").asBoolean()).isTrue();
        dave.send(message("leaveRoom"));
      }

      bob.send(message("chat").put("text", "hi all"));
      for (BrowserSocket s : List.of(alice, bob, carol)) {
        JsonNode chat = s.next("chatMessage");
        assertThat(chat.path("from").asText()).isEqualTo("bob");
        assertThat(chat.path("text").asText()).isEqualTo("hi all");
        assertThat(chat.has("to")).isFalse();
        assertThat(chat.path("ts").asLong()).isPositive();
      }
      // A direct message reaches its addressee and its writer only.
      carol.send(message("chat").put("text", "psst").put("to", "alice"));
      assertThat(alice.next("chatMessage").path("text").asText()).isEqualTo("psst");
      assertThat(carol.next("chatMessage").path("to").asText()).isEqualTo("alice");
      carol.send(message("chat").put("text", "done"));
      assertThat(bob.next("chatMessage").path("text").asText()).isEqualTo("done");
      // To nobody in the room: refused, and nobody hears it.
      carol.send(message("chat").put("text", "hello?").put("to", "zed").put("requestId", "c-1"));
      JsonNode refused = carol.next("error");
      assertThat(refused.path("code").asText()).isEqualTo("unknown-sender");
      assertThat(refused.path("requestId").asText()).isEqualTo("c-1");
      assertThat(alice.next("chatMessage").path("text").asText()).isEqualTo("done");
      assertThat(carol.next("chatMessage").path("text").asText()).isEqualTo("done");
      for (BrowserSocket s : List.of(alice, bob, carol)) {
        assertThat(s.drain("chatMessage")).isEmpty();
      }
    }
  }

  /** A screen is a second stream: published on its own endpoint, received on request, withdrawn. */
  @Test
  void aSharedScreenIsASecondStreamOthersMayReceive() {
    try (org.springframework.context.ConfigurableApplicationContext podB = anotherPod("--switchboard.signaling.pod-id=pod-b");
        BrowserSocket alice = browser(); BrowserSocket bob = new BrowserSocket(SignalingPods.url(podB))) {
      join(alice, "alice", "screens").next("existingParticipants");
      join(bob, "bob", "screens").next("existingParticipants");
      alice.send(message("receiveVideoFrom").put("sender", "alice")
          .put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
      alice.next("receiveVideoAnswer");

      alice.send(message("publishScreen").put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
      JsonNode answer = alice.next("receiveVideoAnswer");
      assertThat(answer.path("name").asText()).isEqualTo("alice");
      assertThat(answer.path("stream").asText()).isEqualTo("screen");
      assertThat(bob.next("screenPublished").path("name").asText()).isEqualTo("alice");
      try (BrowserSocket carol = browser()) {
        join(carol, "carol", "screens");
        JsonNode existing = carol.next("existingParticipants").path("participants");
        assertThat(existing.get(0).path("name").asText()).isEqualTo("alice");
        assertThat(existing.get(0).path("screen").asBoolean()).isTrue();
        assertThat(existing.get(1).path("screen").asBoolean()).isFalse();

        bob.send(message("receiveVideoFrom").put("sender", "alice").put("stream", "screen")
            .put("sdpOffer", offer("02-recvonly-audio-video.offer.chromium.sdp")));
        JsonNode received = bob.next("receiveVideoAnswer");
        assertThat(received.path("stream").asText()).isEqualTo("screen");
        JsonNode candidate;
        do {
          candidate = bob.next("iceCandidate");
        } while (!candidate.path("stream").asText().equals("screen"));
        assertThat(candidate.path("name").asText()).isEqualTo("alice");
        bob.send(message("onIceCandidate").put("name", "alice").put("stream", "screen")
            .set("candidate", candidate(4, 50004)));
        // alice: camera and screen; bob and carol: cameras; bob: alice's screen.
        assertThat(kms().server().count("WebRtcEndpoint")).isEqualTo(5);

        alice.send(message("publishScreen").put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
        assertThat(alice.next("error").path("code").asText()).isEqualTo("invalid-sdp");
        alice.send(message("receiveVideoFrom").put("sender", "bob").put("stream", "screen")
            .put("sdpOffer", offer("02-recvonly-audio-video.offer.chromium.sdp")));
        assertThat(alice.next("error").path("code").asText()).isEqualTo("unknown-stream");

        alice.send(message("unpublishScreen"));
        assertThat(bob.next("screenUnpublished").path("name").asText()).isEqualTo("alice");
        assertThat(carol.next("screenUnpublished").path("name").asText()).isEqualTo("alice");
        // Alice's screen endpoint and Bob's receiving one are gone.
        await().atMost(Duration.ofSeconds(5)).until(() -> kms().server().count("WebRtcEndpoint") == 3);
        alice.send(message("unpublishScreen"));
        assertThat(alice.next("error").path("code").asText()).isEqualTo("unknown-stream");
        assertThat(bob.drain("error")).isEmpty();
      }
    }
  }

  /** Broadcast, as Kurento's one2many tutorial: one presenter, viewers, stop. */
  @Test
  void aBroadcastHasOnePresenterAndViewers() {
    try (org.springframework.context.ConfigurableApplicationContext podB = anotherPod("--switchboard.signaling.pod-id=pod-b");
        BrowserSocket alice = browser(); BrowserSocket bob = new BrowserSocket(SignalingPods.url(podB));
        BrowserSocket carol = browser()) {
      for (BrowserSocket s : List.of(alice, bob, carol)) {
        join(s, s == alice ? "alice" : s == bob ? "bob" : "carol", "broadcast").next("existingParticipants");
      }
      String sendonly = offer("01-sendonly-audio-video.offer.chromium.sdp");
      String recvonly = offer("02-recvonly-audio-video.offer.chromium.sdp");

      bob.send(message("viewer").put("sdpOffer", recvonly));
      JsonNode none = bob.next("viewerResponse");
      assertThat(none.path("response").asText()).isEqualTo("rejected");
      assertThat(none.path("message").asText()).contains("nobody is presenting");
      assertThat(bob.next("error").path("code").asText()).isEqualTo("unknown-sender");

      alice.send(message("presenter").put("sdpOffer", sendonly));
      JsonNode presenting = alice.next("presenterResponse");
      assertThat(presenting.path("response").asText()).isEqualTo("accepted");
      assertThat(presenting.path("sdpAnswer").asText()).startsWith("v=0");
      carol.send(message("presenter").put("sdpOffer", sendonly));
      JsonNode taken = carol.next("presenterResponse");
      assertThat(taken.path("response").asText()).isEqualTo("rejected");
      assertThat(taken.path("message").asText()).isEqualTo("alice is presenting");
      assertThat(carol.next("error").path("code").asText()).isEqualTo("not-allowed");

      for (BrowserSocket viewer : List.of(bob, carol)) {
        viewer.send(message("viewer").put("sdpOffer", recvonly));
        JsonNode viewing = viewer.next("viewerResponse");
        assertThat(viewing.path("response").asText()).isEqualTo("accepted");
        assertThat(viewing.path("sdpAnswer").asText()).contains("a=sendonly");
        assertThat(viewer.next("iceCandidate").path("name").asText()).isEqualTo("alice");
      }
      assertThat(kms().server().count("WebRtcEndpoint")).isEqualTo(5);

      // The presenter stops: every viewer is told, and its endpoint goes.
      alice.send(message("stop"));
      assertThat(bob.next("stopCommunication")).isNotNull();
      assertThat(carol.next("stopCommunication")).isNotNull();
      await().atMost(Duration.ofSeconds(5)).until(() -> kms().server().count("WebRtcEndpoint") == 3);
      carol.send(message("stop"));
      assertThat(carol.next("error").path("code").asText()).isEqualTo("unknown-stream");

      // Someone else may present now; then Alice again, with a fresh endpoint.
      carol.send(message("presenter").put("sdpOffer", sendonly));
      assertThat(carol.next("presenterResponse").path("response").asText()).isEqualTo("accepted");
      bob.send(message("viewer").put("sdpOffer", recvonly));
      assertThat(bob.next("viewerResponse").path("response").asText()).isEqualTo("accepted");
      bob.send(message("stop")); // a viewer stops viewing
      await().atMost(Duration.ofSeconds(5)).until(() -> !member("broadcast", "bob").path("subscriptions").has("carol"));
      carol.send(message("stop"));
      await().atMost(Duration.ofSeconds(5)).until(() -> PLACEMENT.redis().hget("sb:{room:broadcast}", "presenter") == null);
      assertThat(bob.drain("stopCommunication")).isEmpty();
      alice.send(message("presenter").put("sdpOffer", sendonly));
      assertThat(alice.next("presenterResponse").path("response").asText()).isEqualTo("accepted");
      bob.send(message("viewer").put("sdpOffer", recvonly));
      assertThat(bob.next("viewerResponse").path("response").asText()).isEqualTo("accepted");

      // The presenter leaves: its viewers are told.
      alice.send(message("leaveRoom"));
      assertThat(bob.next("stopCommunication")).isNotNull();
      assertThat(bob.next("participantLeft").path("name").asText()).isEqualTo("alice");
      assertThat(PLACEMENT.redis().hget("sb:{room:broadcast}", "presenter")).isNull();
    }
  }

  /** A participant records its camera; the whole room is told when recording starts and stops. */
  @Test
  void aParticipantRecordsItsCameraAndTheRoomIsTold() {
    try (BrowserSocket alice = browser(); BrowserSocket bob = browser()) {
      join(alice, "alice", "recorded").next("existingParticipants");
      join(bob, "bob", "recorded").next("existingParticipants");
      alice.send(message("startRecording"));
      assertThat(alice.next("error").path("code").asText()).isEqualTo("unknown-stream"); // nothing published yet
      alice.send(message("receiveVideoFrom").put("sender", "alice")
          .put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
      alice.next("receiveVideoAnswer");

      alice.send(message("startRecording"));
      String recording = null;
      for (BrowserSocket s : List.of(alice, bob)) {
        JsonNode started = s.next("recordingStarted");
        assertThat(started.path("name").asText()).isEqualTo("alice");
        assertThat(started.has("uri")).as("the storage URI stays on the server").isFalse();
        recording = started.path("recording").asText();
      }
      // The file's name; the file is where the configured URI says.
      assertThat(recording).startsWith("recorded-alice-").endsWith(".webm");
      assertThat(kms().server().count("RecorderEndpoint")).isEqualTo(1);
      alice.send(message("startRecording").put("requestId", "r-2"));
      assertThat(alice.next("error").path("code").asText()).isEqualTo("not-allowed");

      alice.send(message("stopRecording"));
      assertThat(bob.next("recordingStopped").path("recording").asText()).isEqualTo(recording);
      assertThat(alice.next("recordingStopped").path("name").asText()).isEqualTo("alice");
      assertThat(kms().server().count("RecorderEndpoint")).isZero();
      alice.send(message("stopRecording"));
      assertThat(alice.next("error").path("code").asText()).isEqualTo("unknown-stream");

      // Recording while leaving: the recording is finished, and the room told.
      alice.send(message("startRecording"));
      alice.next("recordingStarted");
      bob.next("recordingStarted");
      alice.send(message("leaveRoom"));
      assertThat(bob.next("recordingStopped").path("name").asText()).isEqualTo("alice");
      await().atMost(Duration.ofSeconds(5)).until(() -> kms().server().count("RecorderEndpoint") == 0);
    }
  }

  /** KMS cannot write where the template points: the recording ends and its participant is told why. */
  @Test
  void aRecordingKmsCannotWriteEndsWithAnError() {
    try (org.springframework.context.ConfigurableApplicationContext pod = anotherPod(
            "--switchboard.signaling.room.recording-uri=file:///nonexistent-switchboard-dir/{room}-{name}.webm");
        BrowserSocket alice = new BrowserSocket(SignalingPods.url(pod))) {
      join(alice, "alice", "unwritable").next("existingParticipants");
      alice.send(message("receiveVideoFrom").put("sender", "alice")
          .put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
      alice.next("receiveVideoAnswer");
      alice.send(message("startRecording"));
      alice.next("recordingStarted");
      JsonNode failed = alice.next("error");
      assertThat(failed.path("code").asText()).isEqualTo("unavailable");
      assertThat(failed.path("message").asText()).startsWith("recording unwritable-alice.webm failed: ")
          .doesNotContain("nonexistent-switchboard-dir");
      assertThat(alice.next("recordingStopped").path("name").asText()).isEqualTo("alice");
      await().atMost(Duration.ofSeconds(5)).until(() -> kms().server().count("RecorderEndpoint") == 0);
      alice.send(message("leaveRoom"));
    }
  }

  /** A room's limits: how many may join, whether they may send media or record. */
  @Test
  void aRoomsLimitsAreEnforced() {
    try (org.springframework.context.ConfigurableApplicationContext pod = anotherPod(
            "--switchboard.signaling.room.max-participants=2", "--switchboard.signaling.room.may-publish=false",
            "--switchboard.signaling.room.may-record=false");
        BrowserSocket alice = new BrowserSocket(SignalingPods.url(pod));
        BrowserSocket bob = new BrowserSocket(SignalingPods.url(pod));
        BrowserSocket carol = new BrowserSocket(SignalingPods.url(pod))) {
      join(alice, "alice", "limited").next("existingParticipants");
      join(bob, "bob", "limited").next("existingParticipants");
      alice.next("newParticipantArrived");
      join(carol, "carol", "limited");
      JsonNode full = carol.next("error");
      assertThat(full.path("code").asText()).isEqualTo("room-full");
      assertThat(full.path("message").asText()).contains("2 participants");
      assertThat(alice.drain("newParticipantArrived")).isEmpty();

      alice.send(message("receiveVideoFrom").put("sender", "alice")
          .put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
      assertThat(alice.next("error").path("code").asText()).isEqualTo("not-allowed");
      alice.send(message("publishScreen").put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
      assertThat(alice.next("error").path("code").asText()).isEqualTo("not-allowed");
      alice.send(message("startRecording"));
      assertThat(alice.next("error").path("code").asText()).isEqualTo("not-allowed");
      // Receiving is still allowed; and a place frees up when someone leaves.
      bob.send(message("receiveVideoFrom").put("sender", "alice")
          .put("sdpOffer", offer("02-recvonly-audio-video.offer.chromium.sdp")));
      assertThat(bob.next("receiveVideoAnswer").path("name").asText()).isEqualTo("alice");
      bob.send(message("leaveRoom"));
      alice.next("participantLeft");
      join(carol, "carol", "limited");
      assertThat(carol.next("existingParticipants").path("data").toString()).isEqualTo("[\"alice\"]");
      assertThat(kms().server().count("WebRtcEndpoint")).isEqualTo(2);
      alice.send(message("leaveRoom"));
      carol.send(message("leaveRoom"));
    }
  }

  /**
   * One client looping "connect, join a new room" holds at most its share of rooms, and so of KMS
   * pipelines; joining open rooms, and other clients, are not held back.
   */
  @Test
  void aClientOpensAtMostItsShareOfRooms() {
    java.util.Map<String, String> looper = java.util.Map.of(io.switchboard.groupcall.protocol.IdentityHeaders.CLIENT,
        "198.51.100.7");
    try (org.springframework.context.ConfigurableApplicationContext pod = anotherPod(
            "--switchboard.signaling.max-open-rooms-per-client=2");
        BrowserSocket a = new BrowserSocket(SignalingPods.url(pod), looper);
        BrowserSocket b = new BrowserSocket(SignalingPods.url(pod), looper);
        BrowserSocket c = new BrowserSocket(SignalingPods.url(pod), looper);
        BrowserSocket d = new BrowserSocket(SignalingPods.url(pod), looper);
        BrowserSocket other = new BrowserSocket(SignalingPods.url(pod), java.util.Map.of(
            io.switchboard.groupcall.protocol.IdentityHeaders.CLIENT, "203.0.113.9"))) {
      join(a, "a", "loop-1").next("existingParticipants");
      join(b, "b", "loop-2").next("existingParticipants");
      join(c, "c", "loop-3");
      JsonNode refused = c.next("error");
      assertThat(refused.path("code").asText()).isEqualTo("too-many-rooms");
      assertThat(refused.path("message").asText()).contains("2 rooms open");
      assertThat(kms().server().count("MediaPipeline")).isEqualTo(2);

      join(c, "c", "loop-1").next("existingParticipants");
      join(other, "o", "loop-3").next("existingParticipants");
      assertThat(kms().server().count("MediaPipeline")).isEqualTo(3);

      // One of its rooms closes: it may open another.
      b.send(message("leaveRoom"));
      await().atMost(Duration.ofSeconds(5)).until(() -> kms().server().count("MediaPipeline") == 2);
      join(d, "d", "loop-4").next("existingParticipants");
      for (BrowserSocket s : List.of(a, c, d, other)) {
        s.send(message("leaveRoom"));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> kms().server().count("MediaPipeline") == 0);
    }
  }

  @Test
  void withoutAResumeInTimeTheParticipantLeavesAndItsTokenIsSpent() {
    try (BrowserSocket bob = browser()) {
      BrowserSocket dave = browser();
      join(dave, "dave", "expiring").next("existingParticipants");
      String token = dave.next("session").path("token").asText();
      join(bob, "bob", "expiring").next("existingParticipants");
      dave.close();
      assertThat(bob.next("participantLeft").path("name").asText()).isEqualTo("dave");
      try (BrowserSocket late = browser()) {
        late.send(message("resume").put("token", token));
        assertThat(late.next("error").path("code").asText()).isEqualTo("invalid-token");
        // A token nobody was given, and one that is not a token at all.
        late.send(message("resume").put("token", "A".repeat(43)));
        assertThat(late.next("error").path("code").asText()).isEqualTo("invalid-token");
        late.send(message("resume").put("token", "not a token"));
        assertThat(late.next("error").path("code").asText()).isEqualTo("invalid-token");
        // Refused resumes leave the socket free to join.
        join(late, "dave", "expiring");
        assertThat(late.next("existingParticipants").path("data").toString()).isEqualTo("[\"bob\"]");
      }
    }
  }

  @Test
  void anUnreachableMediaServerIsAnUnavailableErrorAndLeavesNoRoomBehind() {
    kms().faults().hang(true);
    try (BrowserSocket s = browser()) {
      join(s, "fay", "stalled");
      JsonNode error = s.next("error");
      assertThat(error.path("code").asText()).isEqualTo("unavailable");
      kms().faults().clear();
      // Nothing half-made stays: the same join works once KMS answers again.
      join(s, "fay", "stalled");
      assertThat(s.next("existingParticipants").path("data")).isEmpty();
    } finally {
      kms().faults().clear();
    }
  }

  @Test
  void onlyAllowedOriginsMayOpenTheSocket() throws Exception {
    try (org.springframework.context.ConfigurableApplicationContext pod =
        anotherPod("--switchboard.signaling.allowed-origins=https://meet.example.com")) {
      java.net.URI url = java.net.URI.create("ws://127.0.0.1:"
          + pod.getEnvironment().getRequiredProperty("local.server.port") + "/groupcall");
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.http.WebSocket.Listener ignore = new java.net.http.WebSocket.Listener() { };
      java.net.http.WebSocket good = http.newWebSocketBuilder().header("Origin", "https://meet.example.com")
          .buildAsync(url, ignore).get(5, java.util.concurrent.TimeUnit.SECONDS);
      good.abort();
      assertThat(http.newWebSocketBuilder().header("Origin", "https://evil.example")
          .buildAsync(url, ignore)).failsWithin(Duration.ofSeconds(5))
          .withThrowableThat().havingRootCause().withMessageContaining("403");
    }
  }

  /** Rooms are named as people type them; the server keys them by an id derived from the name. */
  @Test
  void roomsMayBeNamedAsPeopleTypeThem() {
    try (BrowserSocket alice = browser(); BrowserSocket bob = browser()) {
      String room = "Team Standup #2 (Zoë's)";
      join(alice, "alice", room).next("existingParticipants");
      String token = alice.next("session").path("token").asText();
      join(bob, "bob", room);
      assertThat(bob.next("existingParticipants").path("data").toString()).isEqualTo("[\"alice\"]");
      String id = "~" + sha256(room).substring(0, 40);
      assertThat(PLACEMENT.calls()).contains("PUT /v1/rooms/" + id + "/placement");
      assertThat(PLACEMENT.redis().hkeys("sb:{room:" + id + "}:members")).containsExactlyInAnyOrder("alice", "bob");
      // A name that is an id already stays one: "~…" typed by someone is hashed, never taken for an id.
      try (BrowserSocket mallory = browser()) {
        join(mallory, "mallory", id);
        assertThat(mallory.next("existingParticipants").path("data")).isEmpty();
        mallory.send(message("leaveRoom"));
      }
      alice.close();
      try (BrowserSocket again = browser()) {
        again.send(message("resume").put("token", token));
        assertThat(again.next("resumed").path("room").asText()).isEqualTo(room);
        again.send(message("leaveRoom"));
      }
    }
  }

  private static String sha256(String s) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void namesAreUniquePerRoomNotGlobally() {
    try (BrowserSocket a = browser(); BrowserSocket b = browser(); BrowserSocket c = browser()) {
      join(a, "sam", "room-a").next("existingParticipants");
      join(b, "sam", "room-b").next("existingParticipants");
      join(c, "sam", "room-a");
      JsonNode error = c.next("error");
      assertThat(error.path("code").asText()).isEqualTo("name-taken");
      // Refused, the socket is still usable and can join elsewhere.
      join(c, "sam", "room-c").next("existingParticipants");
    }
  }

  @Test
  void hostileMessagesGetAnErrorAndTheSocketStaysUsable() {
    try (BrowserSocket s = browser(); BrowserSocket peer = browser()) {
      s.send("{not json");
      assertThat(s.next("error").path("code").asText()).isEqualTo("invalid-json");
      s.send("[1,2]");
      assertThat(s.next("error").path("code").asText()).isEqualTo("not-an-object");
      s.send(message("dropTables").put("requestId", "x1").toString());
      JsonNode unknown = s.next("error");
      assertThat(unknown.path("code").asText()).isEqualTo("unknown-id");
      assertThat(unknown.path("requestId").asText()).isEqualTo("x1");
      s.send(message("receiveVideoFrom").put("sender", "bob").put("sdpOffer", offer("01-sendonly-audio-video.offer.chromium.sdp")));
      assertThat(s.next("error").path("code").asText()).isEqualTo("not-joined");
      s.send(message("joinRoom").put("name", "<b>").put("room", "r"));
      assertThat(s.next("error").path("code").asText()).isEqualTo("invalid-value");

      join(s, "dana", "hostile").next("existingParticipants");
      join(s, "dana", "hostile");
      assertThat(s.next("error").path("code").asText()).isEqualTo("already-joined");
      s.send(message("receiveVideoFrom").put("sender", "nobody").put("sdpOffer", offer("02-recvonly-audio-video.offer.chromium.sdp")));
      assertThat(s.next("error").path("code").asText()).isEqualTo("unknown-sender");
      s.send(message("receiveVideoFrom").put("sender", "dana").put("sdpOffer", "v=0\r\nm=audio 9 RTP/AVP 0\r\ngarbage"));
      assertThat(s.next("error").path("code").asText()).isIn("invalid-sdp", "unavailable");
      // Someone in another room is nobody here.
      try (BrowserSocket frank = browser()) {
        join(frank, "frank", "elsewhere").next("existingParticipants");
        s.send(message("receiveVideoFrom").put("sender", "frank")
            .put("sdpOffer", offer("02-recvonly-audio-video.offer.chromium.sdp")));
        assertThat(s.next("error").path("code").asText()).isEqualTo("unknown-sender");
        frank.send(message("leaveRoom"));
      }
      // Candidates that would point KMS inside the cluster are dropped, silently (the browser offers
      // what it has), and counted; the socket carries on.
      double blockedBefore = dropped("blocked-address");
      double namesBefore = dropped("hostname");
      for (String inside : List.of("127.0.0.1", "169.254.169.254", "10.100.0.10", "fd00:10::5", "redis.default.svc")) {
        s.send(message("onIceCandidate").put("name", "dana").set("candidate", BrowserSocket.JSON.createObjectNode()
            .put("candidate", "candidate:9 1 udp 2122260223 " + inside + " 6379 typ host").put("sdpMid", "0")
            .put("sdpMLineIndex", 0)));
      }
      s.send(message("onIceCandidate").put("name", "nobody").set("candidate", candidate(1, 50000)));
      assertThat(s.next("error").path("code").asText()).as("only the next message's error").isEqualTo("unknown-stream");
      assertThat(dropped("blocked-address") - blockedBefore).isEqualTo(4);
      assertThat(dropped("hostname") - namesBefore).isEqualTo(1);
      // Candidates for streams nobody has.
      JsonNode candidate = candidate(1, 50000);
      s.send(message("onIceCandidate").put("name", "nobody").set("candidate", candidate));
      assertThat(s.next("error").path("code").asText()).isEqualTo("unknown-stream");
      s.send(message("onIceCandidate").put("name", "dana").put("stream", "screen").set("candidate", candidate));
      assertThat(s.next("error").path("code").asText()).isEqualTo("unknown-stream");
      // A forged resume token on another socket.
      try (BrowserSocket forger = browser()) {
        forger.send(message("resume").put("token", "x".repeat(43)));
        assertThat(forger.next("error").path("code").asText()).isEqualTo("invalid-token");
      }
      // Nothing above changed the room: the peer sees exactly one participant, KMS one endpoint.
      join(peer, "eve", "hostile");
      assertThat(peer.next("existingParticipants").path("data").toString()).isEqualTo("[\"dana\"]");
      assertThat(PLACEMENT.redis().hkeys("sb:{room:hostile}:members")).containsExactlyInAnyOrder("dana", "eve");
      s.send(message("onIceCandidate").put("name", "eve").put("stream", "screen").set("candidate", candidate));
      assertThat(s.next("error").path("code").asText()).isEqualTo("unknown-stream");
      // A candidate for Eve's camera before Dana receives it is kept, not refused.
      s.send(message("onIceCandidate").put("name", "eve").set("candidate", candidate));
      s.send(message("dropTables").put("requestId", "after"));
      assertThat(s.next("error").path("requestId").asText()).isEqualTo("after"); // no error came before it
    }
  }

  /**
   * Redis down: the pod is not ready (Kubernetes stops routing to it) but alive (it is not
   * restarted), and a join is refused with `unavailable` instead of hanging; once Redis is back
   * the pod is ready again and joins work, without a restart.
   */
  @Test
  void aRedisOutageMakesThePodUnreadyAndJoinsUnavailableUntilRedisReturns() throws Exception {
    REDIS.stop();
    try (BrowserSocket s = browser()) {
      assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(503);
      java.net.http.HttpResponse<String> liveness = get("/actuator/health/liveness");
      assertThat(liveness.statusCode()).isEqualTo(200);
      assertThat(liveness.body()).contains("\"UP\"");

      join(s, "ivy", "outage");
      assertThat(s.next("error").path("code").asText()).isEqualTo("unavailable");

      REDIS.restart();
      await().atMost(Duration.ofSeconds(30)).until(() -> get("/actuator/health/readiness").statusCode() == 200);
      join(s, "ivy", "outage");
      assertThat(s.next("existingParticipants").path("data")).isEmpty();
      // Room events flow again: the pub/sub connection came back with Redis.
      try (BrowserSocket jay = browser()) {
        join(jay, "jay", "outage");
        assertThat(jay.next("existingParticipants").path("data").toString()).isEqualTo("[\"ivy\"]");
        assertThat(s.next("newParticipantArrived").path("name").asText()).isEqualTo("jay");
      }
    } finally {
      if (!REDIS.running()) {
        REDIS.restart();
      }
    }
  }

  /** A second signaling pod in this JVM, on the same Redis and placement, with these settings added. */
  private static org.springframework.context.ConfigurableApplicationContext anotherPod(String... settings) {
    List<String> args = new java.util.ArrayList<>(List.of("--switchboard.signaling.resume-grace=" + GRACE.toMillis() + "ms"));
    args.addAll(List.of(settings));
    return SignalingPods.start(REDIS.url(), PLACEMENT.url(), args.toArray(String[]::new));
  }

  private java.net.http.HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + (path.startsWith("/actuator") ? managementPort : port) + path)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theActuatorIsOnlyOnTheManagementPort() throws Exception {
    assertThat(managementPort).isNotEqualTo(port);
    for (String path : List.of("/actuator/health", "/actuator/prometheus", "/actuator")) {
      java.net.http.HttpResponse<String> onPublicPort = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(onPublicPort.statusCode()).as("public port " + path).isEqualTo(404);
      assertThat(get(path).statusCode()).as("management port " + path).isEqualTo(200);
    }
  }

  @Test
  void metricsAreExported() throws Exception {
    try (BrowserSocket s = browser()) {
      join(s, "mo", "metered").next("existingParticipants");
      s.send("{oops");
      s.next("error");
      java.net.http.HttpResponse<String> r = get("/actuator/prometheus");
      assertThat(r.body()).contains("switchboard_signaling_sockets{")
          .contains("switchboard_signaling_participants{")
          .contains("switchboard_signaling_messages_total{id=\"joinRoom\"")
          .contains("switchboard_signaling_errors_total{code=\"invalid-json\"")
          .contains("switchboard_signaling_join_latency_seconds_count")
          .contains("switchboard_signaling_kms_request_seconds_count{operation=\"createEndpoint\",outcome=\"ok\"")
          .contains("lettuce_seconds_count{db_operation=\"HGETALL\"");
    }
  }

  @Test
  void anOversizedFrameClosesTheSocketWith1009() {
    try (BrowserSocket s = browser()) {
      s.send("{\"id\":\"chat\",\"text\":\"" + "x".repeat(70_000) + "\"}");
      assertThat(s.closed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1009);
    }
  }

  @Test
  void aMessageLongerThanTheContainersBufferArrivesWhole() {
    try (BrowserSocket s = browser()) {
      // Three of the container's pieces: decoded as one message (the chat is refused for its
      // length, which only a whole, well-formed message can be), and the socket stays usable.
      String text = "x".repeat(3 * io.switchboard.signaling.ws.GroupCallSocketHandler.CONTAINER_TEXT_BUFFER);
      s.send("{\"id\":\"chat\",\"requestId\":\"long\",\"text\":\"" + text + "\"}");
      JsonNode refused = s.next("error");
      assertThat(refused.path("requestId").asText()).isEqualTo("long");
      assertThat(refused.path("message").asText()).contains("must be 1 to 2000 characters");
      s.send("{\"id\":\"chat\",\"requestId\":\"short\",\"text\":\"hi\"}");
      assertThat(s.next("error").path("requestId").asText()).as("answered, still open").isEqualTo("short");
    }
  }

  /**
   * A socket keeps small buffers: permessage-deflate, which browsers ask for, is declined (it would
   * keep a zlib compressor per socket), Tomcat's WebSocket buffers are the configured 2 KiB, and a
   * message longer than them goes out in pieces and arrives whole.
   */
  @Test
  void aSocketDeclinesCompressionAndKeepsSmallBuffers() throws Exception {
    try (java.net.Socket raw = new java.net.Socket("127.0.0.1", port)) {
      raw.setSoTimeout(5000);
      raw.getOutputStream().write(("GET /groupcall HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
          + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      StringBuilder response = new StringBuilder();
      java.io.InputStream in = raw.getInputStream();
      while (response.indexOf("\r\n\r\n") < 0) {
        int b = in.read();
        assertThat(b).as("response so far: %s", response).isNotNegative();
        response.append((char) b);
      }
      assertThat(response.toString()).startsWith("HTTP/1.1 101").doesNotContainIgnoringCase("Sec-WebSocket-Extensions");
    }
    java.lang.reflect.Field buffer = Class.forName("org.apache.tomcat.websocket.Constants")
        .getDeclaredField("DEFAULT_BUFFER_SIZE");
    buffer.setAccessible(true);
    assertThat(buffer.getInt(null)).isEqualTo(2048);

    try (BrowserSocket alice = browser()) {
      join(alice, "alice", "long-chat").next("existingParticipants");
      String text = "\u20ac".repeat(2000); // 6,000 bytes of UTF-8: three of the pod's output buffers
      alice.send(message("chat").put("text", text));
      assertThat(alice.next("chatMessage").path("text").asText()).isEqualTo(text);
    }
  }

  @Test
  void aFloodClosesTheSocketWith1008() {
    try (BrowserSocket s = browser()) {
      try {
        for (int i = 0; i < 200 && !s.closed.isDone(); i++) {
          s.send(message("leaveRoom"));
        }
      } catch (java.util.concurrent.CompletionException closedWhileSending) {
        // the server closed the socket mid-flood: what this test wants
      }
      assertThat(s.closed).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1008);
    }
  }

  private static java.nio.file.Path recordings() {
    try {
      return java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "recordings")).toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A member's record as signaling keeps it in Redis. */
  private static JsonNode member(String room, String name) {
    return SignalingState.member(PLACEMENT.redis(), room, name);
  }

  private static java.util.Map<String, String> placementRoom(String room) {
    return PLACEMENT.room(room);
  }
}
