package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static io.switchboard.signaling.domain.Cluster.KMS_1;
import static io.switchboard.signaling.domain.Cluster.NODE_0;
import static io.switchboard.signaling.domain.Cluster.NODE_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import io.switchboard.signaling.domain.RecordingLoadReporter.Load;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A room whose KMS node was lost is rebuilt on another node, once, and every pod moves its
 * participants to their new endpoints and tells their clients to negotiate again. The rebuild
 * and the taking in run on each pod's {@code room-rebuild} thread: tests wait for them.
 */
class RoomRebuildTest extends TwoPods {

  static final String ROOM = "standup";
  static final IceCandidate CANDIDATE = new IceCandidate("candidate:5 1 UDP 1 10.0.1.5 5 typ host", "0", 0);

  Client alice;
  Client bob;
  String oldPipeline;

  @BeforeEach
  void aCallOnTheFirstNode() {
    alice = podA.join(ROOM, "alice");
    bob = podB.join(ROOM, "bob");
    alice.publish("alice's offer");
    bob.publish("bob's offer");
    alice.subscribe("bob", "alice receives bob");
    bob.subscribe("alice", "bob receives alice");
    cluster.settle();
    oldPipeline = cluster.store.room(ROOM).orElseThrow().pipelineId();
  }

  static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5));
  }

  /** What placement does when a node dies: its rooms' placements go, and new ones go to the other node. */
  NodeLosses.NodeLoss loseNode0(boolean down) {
    List<String> rooms = cluster.placement.unplaceRoomsOn(NODE_0);
    cluster.placement.placeOn(NODE_1);
    if (down) {
      cluster.kms.loseNode(KMS_0);
    }
    return new NodeLosses.NodeLoss(NODE_0, down, rooms, down ? "DOWN" : "drained");
  }

  /** Waits until each client's pod took its new endpoint in, and listens to it. */
  void awaitTakenIn(Client... clients) {
    for (Client c : clients) {
      eventually().untilAsserted(() -> {
        String publisher = c.record(cluster).publisher();
        assertThat(c.participant.publisherEndpoint).isEqualTo(publisher);
        assertThat(c.pod.media.listener(KMS_1, publisher)).isNotNull();
      });
    }
  }

  @Test
  void aLostNodesRoomIsRebuiltOnceOnANewNodeWithEveryMemberRepointed() {
    NodeLosses.NodeLoss loss = loseNode0(true);
    alice.channel.clear();
    bob.channel.clear();

    podA.service.nodeLost(loss); // every pod hears every announcement
    podB.service.nodeLost(loss);
    eventually().until(() -> bob.channel.sent(ServerMessage.MediaMoved.class).size() == 1
        && alice.channel.sent(ServerMessage.MediaMoved.class).size() == 1);
    cluster.settle();

    RoomStore.RoomRecord room = cluster.store.room(ROOM).orElseThrow();
    assertThat(room.nodeId()).isEqualTo(NODE_1);
    assertThat(room.kmsUrl()).isEqualTo(KMS_1);
    assertThat(cluster.kms.liveObjects(KMS_1, Kind.PIPELINE)).as("one new pipeline").isEqualTo(1);
    RoomStore.MemberRecord a = alice.record(cluster);
    RoomStore.MemberRecord b = bob.record(cluster);
    assertThat(cluster.kms.children(KMS_1, room.pipelineId())).containsExactlyInAnyOrder(a.publisher(), b.publisher());
    for (RoomStore.MemberRecord m : List.of(a, b)) {
      assertThat(m.publishing()).isFalse();
      assertThat(m.subscriptions()).isEmpty();
      assertThat(m.mediaMoved()).as("told").isFalse();
    }
    assertThat(a.pod()).isEqualTo("pod-a");
    assertThat(b.pod()).isEqualTo("pod-b");
    assertThat(cluster.bus.published(ROOM)).filteredOn(e -> e instanceof RoomEvents.Rebuilt).hasSize(1);
    assertThat(podA.observer.roomsRebuilt() + podB.observer.roomsRebuilt()).isEqualTo(1);
    assertThat(cluster.placement.placement(ROOM).orElseThrow().nodeId()).isEqualTo(NODE_1);
    assertThat(cluster.load.room(ROOM, NODE_1)).isEqualTo(new Load(2, 2));
    eventually().untilAsserted(() -> assertThat(podA.media.disconnects()).containsExactly(KMS_0));
  }

  @Test
  void everyClientIsToldItsMediaMovedAndHearsTheOthersLeaveAndArriveAgain() {
    NodeLosses.NodeLoss loss = loseNode0(true);
    alice.channel.clear();
    bob.channel.clear();

    podA.service.nodeLost(loss);
    eventually().until(() -> !bob.channel.sent(ServerMessage.NewParticipantArrived.class).isEmpty()
        && !alice.channel.sent(ServerMessage.NewParticipantArrived.class).isEmpty());

    assertThat(alice.channel.sent()).containsExactly(
        new ServerMessage.MediaMoved(
            "the room's media server was lost and the room moved to another: publish and subscribe again"),
        new ServerMessage.ParticipantLeft("bob"), new ServerMessage.NewParticipantArrived("bob", true, true));
    assertThat(bob.channel.sent()).containsExactly(
        new ServerMessage.MediaMoved(
            "the room's media server was lost and the room moved to another: publish and subscribe again"),
        new ServerMessage.ParticipantLeft("alice"), new ServerMessage.NewParticipantArrived("alice", true, true));
  }

  @Test
  void theParticipantsNegotiateAgainOnTheNewNode() {
    podA.service.nodeLost(loseNode0(true));
    awaitTakenIn(alice, bob);
    String alicesCamera = alice.record(cluster).publisher();

    alice.publish("alice's new offer");
    bob.publish("bob's new offer");
    alice.subscribe("bob", "alice receives bob again");
    cluster.kms.emitCandidate(KMS_1, alicesCamera, CANDIDATE);

    assertThat(alice.channel.last(ServerMessage.ReceiveVideoAnswer.class).name()).isEqualTo("bob");
    assertThat(cluster.kms.offer(KMS_1, alicesCamera)).isEqualTo("alice's new offer");
    String receiving = alice.record(cluster).subscriptions().get("bob");
    assertThat(cluster.kms.connects()).last().isEqualTo(
        new FakeMediaServer.Connection(KMS_1, bob.record(cluster).publisher(), receiving));
    assertThat(alice.channel.last(ServerMessage.IceCandidateFound.class))
        .isEqualTo(new ServerMessage.IceCandidateFound("alice", CANDIDATE, Stream.WEBCAM));
    assertThat(cluster.load.room(ROOM, NODE_1)).isEqualTo(new Load(3, 2));
  }

  @Test
  void aDetachedParticipantIsToldItsMediaMovedWhenItResumes() {
    alice.disconnect();
    cluster.settle();
    alice.channel.clear();

    podA.service.nodeLost(loseNode0(true));
    awaitTakenIn(alice, bob);
    eventually().until(() -> !bob.channel.sent(ServerMessage.MediaMoved.class).isEmpty());
    assertThat(alice.channel.sent()).as("nobody to tell").isEmpty();
    assertThat(alice.record(cluster).mediaMoved()).isTrue();
    assertThat(alice.record(cluster).parkedUntil()).as("still waiting").isPositive();

    Client resumed = alice.resumeOn(podA);

    assertThat(resumed.channel.sent()).containsExactly(new ServerMessage.Resumed("alice", ROOM),
        new ServerMessage.Session(resumed.token),
        new ServerMessage.ExistingParticipants(List.of(new ServerMessage.ParticipantState("bob", true, true, false))),
        new ServerMessage.MediaMoved(
            "the room's media server was lost and the room moved to another: publish and subscribe again"),
        new ServerMessage.ParticipantLeft("bob"), new ServerMessage.NewParticipantArrived("bob", true, true));
    assertThat(alice.record(cluster).mediaMoved()).isFalse();
  }

  @Test
  void aDetachedParticipantResumingOnAnotherPodIsToldToo() {
    alice.disconnect();
    podA.service.nodeLost(loseNode0(true));
    awaitTakenIn(alice, bob);

    Client resumed = alice.resumeOn(podB);

    assertThat(resumed.channel.sent(ServerMessage.MediaMoved.class)).hasSize(1);
    assertThat(alice.record(cluster).mediaMoved()).isFalse();
    assertThat(alice.record(cluster).pod()).isEqualTo("pod-b");
  }

  @Test
  void aDrainedNodeKeepsRunningAndTheRoomsOldPipelineIsReleasedFromIt() {
    podB.service.nodeLost(loseNode0(false));
    awaitTakenIn(alice, bob);

    eventually().untilAsserted(() -> assertThat(cluster.kms.exists(KMS_0, oldPipeline)).isFalse());
    assertThat(cluster.kms.liveObjects(KMS_0)).isZero();
    assertThat(podB.media.disconnects()).isEmpty();
    assertThat(cluster.store.room(ROOM).orElseThrow().nodeId()).isEqualTo(NODE_1);
  }

  @Test
  void aRoomPlacementStillPutsOnTheLostNodeIsNotRebuilt() {
    // Placement did not move the room: asked again, it answers the same node.
    NodeLosses.NodeLoss loss = new NodeLosses.NodeLoss(NODE_0, false, List.of(ROOM), "drained");

    podA.service.nodeLost(loss);
    eventually().untilAsserted(() -> {
      assertThat(cluster.placement.placeCalls()).as("asked where the room goes").isEqualTo(2);
      assertThat(cluster.store.lockOwner(ROOM)).as("and gave up").isEmpty();
    });
    cluster.settle();

    assertThat(cluster.store.room(ROOM).orElseThrow().pipelineId()).isEqualTo(oldPipeline);
    assertThat(cluster.bus.published(ROOM)).noneMatch(e -> e instanceof RoomEvents.Rebuilt);
    assertThat(cluster.kms.liveObjects(KMS_1)).isZero();
  }

  @Test
  /**
   * Between a rebuild re-pointing the records and its pod's takeIn, a leaver's Participant still
   * knows the lost node's endpoints: the leave releases what its removed record held on the new
   * node too, and counts that node's load down.
   */
  void aParticipantWhoLeavesBeforeItsPodTookTheRebuiltMediaInReleasesItsNewEndpoint() {
    NodeLosses.NodeLoss loss = loseNode0(true);
    try (var held = cluster.holdEvents()) {
      podA.service.nodeLost(loss);
      eventually().until(() -> cluster.bus.published(ROOM).stream().anyMatch(e -> e instanceof RoomEvents.Rebuilt));
      String bobsNewCamera = bob.record(cluster).publisher();
      assertThat(cluster.kms.exists(KMS_1, bobsNewCamera)).isTrue();

      bob.leave(); // pod B has not heard of the rebuild yet
    }
    cluster.settle();
    awaitTakenIn(alice);

    // Alice's take-in reports her endpoint on the new node just after it is in place: wait for it.
    eventually().untilAsserted(() -> org.assertj.core.api.SoftAssertions.assertSoftly(softly -> {
      softly.assertThat(cluster.kms.liveObjects(KMS_1, Kind.WEBRTC_ENDPOINT)).as("alice's new camera only")
          .isEqualTo(1);
      softly.assertThat(cluster.load.room(ROOM, NODE_1)).as("the new node's load").isEqualTo(new Load(1, 1));
    }));
  }
}
