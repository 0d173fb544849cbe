package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static io.switchboard.signaling.domain.Cluster.NODE_0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.Cluster.Pod;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import io.switchboard.signaling.domain.RecordingLoadReporter.Load;
import io.switchboard.signaling.domain.RecordingLoadReporter.Report;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code leaveRoom}, and how a pod stops serving a participant that is no longer its own. */
class DeparturesTest extends TwoPods {

  static final String ROOM = "standup";
  static final IceCandidate CANDIDATE = new IceCandidate("candidate:9 1 UDP 1 10.0.0.9 9 typ host", "0", 0);

  @Test
  void aLeaveReleasesEveryEndpointFinishesTheRecordingAndTellsTheRoom() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podB.join(ROOM, "bob");
    bob.publish("bob's offer");
    alice.publish("alice's offer");
    alice.subscribe("bob", "alice receives bob");
    alice.send(new ClientMessage.PublishScreen("alice's screen", null));
    alice.send(new ClientMessage.StartRecording(null));
    cluster.settle();
    RoomStore.MemberRecord before = alice.record(cluster);
    String recorder = before.recorder();
    List<String> held = before.endpoints();
    assertThat(held).hasSize(3); // camera, bob's camera received, screen
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(5, 2));
    bob.channel.clear();
    Participant leaving = alice.participant;

    alice.leave();
    cluster.settle();

    held.forEach(e -> assertThat(cluster.kms.exists(KMS_0, e)).as(e).isFalse());
    assertThat(cluster.kms.exists(KMS_0, recorder)).as("the recorder").isFalse();
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).as("bob's camera").isEqualTo(1);
    assertThat(cluster.load.reports()).last().isEqualTo(new Report(ROOM, NODE_0, -4, -1));
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(1, 1));
    assertThat(cluster.store.members(ROOM)).containsOnlyKeys("bob");
    assertThat(cluster.store.session(SessionTokens.hash(alice.token))).isEmpty();
    assertThat(cluster.registry.served("pod-a")).isEmpty();
    assertThat(bob.channel.sent()).containsExactly(new ServerMessage.Recording("alice", false, before.recordingUri()),
        new ServerMessage.ParticipantLeft("alice"));
    assertThat(cluster.bus.published(ROOM)).last()
        .isEqualTo(new RoomEvents.Left("alice", leaving.memberId, "pod-a"));
    assertThat(cluster.presence.events(PresenceType.PARTICIPANT_LEFT)).extracting(PresenceEvent::participant,
        PresenceEvent::reason).containsExactly(tuple("alice", "left"));
    assertThat(podA.localParticipants()).isZero();
    assertThat(podA.events.follows(ROOM)).as("pod-a has nobody left in the room").isFalse();
    assertThat(cluster.store.room(ROOM)).as("bob is still in it").isPresent();
    assertThat(alice.participant).as("the socket is no longer in a room").isNull();
  }

  @Test
  void theLastToLeaveClosesTheRoom() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podB.join(ROOM, "bob");
    String pipeline = cluster.store.room(ROOM).orElseThrow().pipelineId();
    alice.leave();
    cluster.settle();
    assertThat(cluster.store.room(ROOM)).isPresent();
    cluster.presence.clear();

    bob.leave();
    cluster.settle();

    assertThat(cluster.store.room(ROOM)).isEmpty();
    assertThat(cluster.kms.exists(KMS_0, pipeline)).isFalse();
    assertThat(cluster.kms.liveObjects(KMS_0)).isZero();
    assertThat(cluster.placement.released()).containsExactly(ROOM);
    assertThat(cluster.presence.types()).containsExactly(PresenceType.PARTICIPANT_LEFT, PresenceType.ROOM_CLOSED);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(0, 0));
    assertThat(podA.service.localRooms() + podB.service.localRooms()).isZero();
    assertThat(bob.departures()).containsExactly("alice");
  }

  @Test
  void aPresenterWhoLeavesFreesTheSlotAndItsViewersAreToldTheBroadcastStopped() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podB.join(ROOM, "bob");
    alice.send(new ClientMessage.Presenter("alice presents", null));
    bob.send(new ClientMessage.Viewer("bob views", null));
    String viewing = bob.record(cluster).subscriptions().get("alice");
    Participant presenter = alice.participant;
    assertThat(cluster.store.presenter(ROOM)).contains(presenter.presenterClaim());

    alice.leave();
    cluster.settle();

    assertThat(cluster.store.presenter(ROOM)).isEmpty();
    assertThat(cluster.bus.published(ROOM)).contains(
        new RoomEvents.PresenterChanged("alice", presenter.memberId, "pod-a", false));
    assertThat(bob.channel.sent(ServerMessage.StopCommunication.class)).hasSize(1);
    assertThat(bob.departures()).containsExactly("alice");
    assertThat(cluster.kms.exists(KMS_0, viewing)).isFalse();
    assertThat(bob.record(cluster).subscriptions()).isEmpty();
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(1, 1));
    Client carol = podB.join(ROOM, "carol");
    carol.send(new ClientMessage.Presenter("carol presents", null));
    assertThat(carol.channel.last(ServerMessage.BroadcastResponse.class).accepted()).isTrue();
  }

  @Test
  void aSocketThatLeftSpeaksForNobodyAndTheLeaveIsDoneOnce() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podA.join(ROOM, "bob");
    Participant left = alice.participant;
    alice.leave();
    cluster.settle();

    Cluster.refusal(ErrorCode.NOT_JOINED, () -> alice.pod.service.handle(left, alice.channel,
        new ClientMessage.LeaveRoom(null)));
    Cluster.refusal(ErrorCode.NOT_JOINED, () -> alice.pod.service.handle(left, alice.channel,
        new ClientMessage.Chat("hello?", null, null)));
    cluster.settle();

    assertThat(bob.departures()).containsExactly("alice");
    assertThat(cluster.load.reports()).filteredOn(r -> r.participantDelta() < 0).hasSize(1);
  }

  @Test
  void aLeaveOfAParticipantThatResumedElsewhereMeanwhileOnlyStopsServingIt() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podA.join(ROOM, "bob");
    String publisher = alice.record(cluster).publisher();
    cluster.settle();
    Client resumed;
    Participant stale = alice.participant;
    // Pod A has not heard yet that alice resumed on pod B when her old socket asks to leave.
    try (var held = cluster.holdEvents()) {
      resumed = alice.resumeOn(podB);
      alice.leave();
      assertThat(alice.channel.closedWith()).as("the old socket is told the session ended here")
          .isEqualTo(new RecordingChannel.Close(RecordingChannel.ENDED, "the session ended: join again"));
    }
    cluster.settle();

    assertThat(stale.gone).isTrue();
    assertThat(resumed.record(cluster).pod()).isEqualTo("pod-b");
    assertThat(cluster.kms.exists(KMS_0, publisher)).as("her camera lives on, served by pod-b").isTrue();
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(2, 2));
    assertThat(cluster.bus.published(ROOM)).noneMatch(e -> e instanceof RoomEvents.Left);
    assertThat(cluster.presence.events(PresenceType.PARTICIPANT_LEFT)).isEmpty();
    assertThat(bob.departures()).isEmpty();
    assertThat(podA.localParticipants()).as("bob").isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(podA.media.listener(KMS_0, publisher)).as("pod-a stopped listening").isNull());
    assertThat(cluster.kms.emitCandidate(KMS_0, publisher, CANDIDATE)).as("pod-b listens").isEqualTo(1);
    assertThat(resumed.channel.last(ServerMessage.IceCandidateFound.class).candidate()).isEqualTo(CANDIDATE);
  }

  @Test
  void aParticipantResumedOnAnotherPodHasItsOldSocketClosedAsReplaced() {
    Client alice = podA.join(ROOM, "alice");

    alice.resumeOn(podB);
    cluster.settle();

    assertThat(alice.channel.closedWith()).isEqualTo(
        new RecordingChannel.Close(RecordingChannel.REPLACED, "resumed on another signaling pod"));
    assertThat(alice.participant.gone).isTrue();
    assertThat(podA.localParticipants()).isZero();
    assertThat(podA.events.follows(ROOM)).isFalse();
    assertThat(cluster.store.member(ROOM, "alice")).isPresent();
    assertThat(cluster.kms.exists(KMS_0, alice.record(cluster).publisher())).isTrue();
  }

  @Test
  void aParticipantRemovedByAnotherPodHasItsSocketClosedAsEnded() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podB.join(ROOM, "bob");
    podA.beat();
    podB.beat();
    // Pod A misses its beats (a long pause): pod B takes it for dead, parks alice and, a grace later, removes her.
    cluster.elapse(Cluster.HEARTBEAT_TIMEOUT.plusSeconds(1), podB);
    assertThat(alice.record(cluster).parkedUntil()).isPositive();
    cluster.elapse(Cluster.RESUME_GRACE, podB);

    assertThat(cluster.store.member(ROOM, "alice")).isEmpty();
    assertThat(alice.channel.closedWith()).isEqualTo(
        new RecordingChannel.Close(RecordingChannel.ENDED, "the session ended: join again"));
    assertThat(alice.participant.gone).isTrue();
    assertThat(podA.localParticipants()).isZero();
    assertThat(bob.departures()).containsExactly("alice");
    assertThat(podB.observer.expiries()).isEqualTo(1);
  }
}
