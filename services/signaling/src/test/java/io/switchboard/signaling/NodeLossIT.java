package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static io.switchboard.signaling.CallSteps.joined;
import static io.switchboard.signaling.CallSteps.publish;
import static io.switchboard.signaling.CallSteps.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.kms.emulator.KmsEmulator;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A room's KMS node is lost (it dies, or a drain runs out) and placement announces it: the room is
 * rebuilt on another node, once, by one of the two pods its participants are on, and every
 * participant is told to renegotiate — {@code mediaMoved}, and for the tutorial's client each
 * other participant leaving and arriving again.
 */
class NodeLossIT {

  static final RedisServerProcess REDIS = RedisServerProcess.start();
  static final KmsEmulatorFleet KMS = KmsEmulatorFleet.start(3);
  static final PlacementStub PLACEMENT = new PlacementStub(REDIS.url(), () -> KMS.node(0).url());
  static final ConfigurableApplicationContext POD_A = SignalingPods.start(REDIS.url(), PLACEMENT.url(),
      "--switchboard.signaling.pod-id=pod-a", "--switchboard.signaling.kms-request-timeout=1500ms");
  static final ConfigurableApplicationContext POD_B = SignalingPods.start(REDIS.url(), PLACEMENT.url(),
      "--switchboard.signaling.pod-id=pod-b", "--switchboard.signaling.kms-request-timeout=1500ms");

  @AfterAll
  static void stop() {
    POD_A.close();
    POD_B.close();
    PLACEMENT.close();
    KMS.close();
    REDIS.close();
  }






  /** mediaMoved, then the other participant leaves and arrives again, in that order. */
  private static void toldToRenegotiate(BrowserSocket socket, String other) {
    assertThat(socket.next("mediaMoved").path("reason").asText()).contains("publish and subscribe again");
    List<String> order = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      JsonNode m = socket.nextOf("participantLeft", "newParticipantArrived");
      assertThat(m.path("name").asText()).isEqualTo(other);
      order.add(m.path("id").asText());
    }
    assertThat(order).containsExactly("participantLeft", "newParticipantArrived");
  }

  /** Two participants on two pods, each publishing and receiving the other, on {@code node}. */
  private static void callOn(int node, String room, BrowserSocket alice, BrowserSocket bob) {
    PLACEMENT.placeOn("kms-" + node, KMS.node(node).url());
    joined(alice, "alice", room);
    publish(alice, "alice");
    joined(bob, "bob", room);
    alice.next("newParticipantArrived");
    publish(bob, "bob");
    subscribe(alice, "bob");
    subscribe(bob, "alice");
    assertThat(KMS.node(node).server().count("WebRtcEndpoint")).isEqualTo(4);
  }

  private static void renegotiatedOn(int node, String room, BrowserSocket alice, BrowserSocket bob) {
    toldToRenegotiate(alice, "bob");
    toldToRenegotiate(bob, "alice");
    JsonNode record = SignalingState.member(PLACEMENT.redis(), room, "alice");
    assertThat(record.path("subscriptions").size()).isZero();
    assertThat(PLACEMENT.redis().hget("sb:{room:" + room + "}", "nodeId")).isEqualTo("kms-" + node);
    // Each publishes again (its pod hears the new endpoint's candidates) and subscribes anew.
    publish(alice, "alice");
    publish(bob, "bob");
    subscribe(alice, "bob");
    subscribe(bob, "alice");
    KmsEmulator kms = KMS.node(node);
    assertThat(kms.server().count("MediaPipeline")).isEqualTo(1);
    assertThat(kms.server().count("WebRtcEndpoint")).isEqualTo(4);
    assertThat(alice.drain("error")).isEmpty();
    assertThat(bob.drain("error")).isEmpty();
    alice.send(message("leaveRoom"));
    bob.send(message("leaveRoom"));
    await().atMost(Duration.ofSeconds(10)).until(() -> kms.server().mediaObjectCount() == 0);
    await().atMost(Duration.ofSeconds(5)).until(() -> PLACEMENT.redis().keys("sb:{room:" + room + "}*").isEmpty());
  }

  @Test
  void whenARoomsNodeDiesTheRoomIsRebuiltOnAnotherAndItsParticipantsRenegotiate() {
    try (BrowserSocket alice = new BrowserSocket(SignalingPods.url(POD_A));
        BrowserSocket bob = new BrowserSocket(SignalingPods.url(POD_B))) {
      callOn(0, "lost", alice, bob);

      KMS.node(0).kill();
      PLACEMENT.placeOn("kms-1", KMS.node(1).url());
      PLACEMENT.announce("NODE_DOWN", "kms-0", List.of("lost", "some-other-room"), "failed 3 health checks");

      renegotiatedOn(1, "lost", alice, bob);
      assertThat(PLACEMENT.calls()).filteredOn(c -> c.equals("PUT /v1/rooms/lost/placement")).hasSize(2);
    }
  }

  @Test
  void aDrainedNodesRoomsMoveAndTheirOldPipelineIsReleased() {
    try (BrowserSocket alice = new BrowserSocket(SignalingPods.url(POD_B));
        BrowserSocket bob = new BrowserSocket(SignalingPods.url(POD_A))) {
      callOn(1, "drained", alice, bob);

      PLACEMENT.placeOn("kms-2", KMS.node(2).url());
      PLACEMENT.announce("NODE_DRAINED", "kms-1", List.of("drained"), "drain deadline passed");

      // The drained node is alive: the room's old pipeline is released there, once rebuilt.
      await().atMost(Duration.ofSeconds(10)).until(() -> KMS.node(1).server().mediaObjectCount() == 0);
      renegotiatedOn(2, "drained", alice, bob);
    }
  }
}
