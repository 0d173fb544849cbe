package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.ServerMessage.ParticipantState;
import io.switchboard.groupcall.protocol.Stream;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import io.switchboard.signaling.domain.RecordingLoadReporter.Load;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Screen sharing: a second stream per participant, which the others are told of and may receive. */
class ScreenSharingTest extends TwoPods {

  static final String ROOM = "standup";
  static final IceCandidate CANDIDATE = new IceCandidate("candidate:3 1 UDP 1 10.0.0.3 3 typ host", "0", 0);

  Client alice;
  Client bob;

  @BeforeEach
  void join() {
    alice = podA.join(ROOM, "alice");
    bob = podB.join(ROOM, "bob");
    alice.publish("alice's camera");
    cluster.settle();
    alice.channel.clear();
    bob.channel.clear();
  }

  void share(Client who) {
    who.send(new ClientMessage.PublishScreen(who.name + "'s screen", null));
  }

  @Test
  void aSharedScreenIsAnsweredOnAnEndpointOfItsOwnAndTheOthersAreTold() {
    share(alice);
    cluster.settle();

    String screen = alice.record(cluster).screen();
    assertThat(screen).isNotNull().isNotEqualTo(alice.record(cluster).publisher());
    assertThat(alice.channel.sent()).containsExactly(new ServerMessage.ReceiveVideoAnswer("alice",
        FakeMediaServer.answerTo(screen, "alice's screen"), Stream.SCREEN));
    assertThat(bob.channel.sent()).containsExactly(new ServerMessage.ScreenShare("alice", true));
    assertThat(cluster.bus.published(ROOM)).last().isEqualTo(
        new RoomEvents.ScreenShared("alice", alice.participant.memberId, "pod-a", true));
    assertThat(cluster.kms.gathering(KMS_0, screen)).isTrue();
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(3, 2));
    cluster.kms.emitCandidate(KMS_0, screen, CANDIDATE);
    assertThat(alice.channel.last(ServerMessage.IceCandidateFound.class))
        .isEqualTo(new ServerMessage.IceCandidateFound("alice", CANDIDATE, Stream.SCREEN));
    Client carol = podB.join(ROOM, "carol");
    assertThat(carol.channel.last(ServerMessage.ExistingParticipants.class).participants())
        .contains(new ParticipantState("alice", true, true, true), new ParticipantState("bob", true, true, false));
  }

  @Test
  void othersReceiveTheScreenAndAStopReleasesWhatTheyReceivedOfIt() {
    share(alice);
    bob.subscribe("alice", "bob receives alice's camera");
    bob.send(new ClientMessage.ReceiveVideoFrom("alice", "bob receives alice's screen", Stream.SCREEN, null));
    String screen = alice.record(cluster).screen();
    String receivingScreen = bob.record(cluster).subscriptions().get("alice#screen");
    String receivingCamera = bob.record(cluster).subscriptions().get("alice");
    assertThat(cluster.kms.connects()).contains(new FakeMediaServer.Connection(KMS_0, screen, receivingScreen));
    assertThat(bob.channel.last(ServerMessage.ReceiveVideoAnswer.class).stream()).isEqualTo(Stream.SCREEN);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(5, 2));

    alice.send(new ClientMessage.UnpublishScreen(null));
    cluster.settle();

    assertThat(cluster.kms.exists(KMS_0, screen)).isFalse();
    assertThat(cluster.kms.exists(KMS_0, receivingScreen)).isFalse();
    assertThat(cluster.kms.exists(KMS_0, receivingCamera)).as("the camera is still received").isTrue();
    assertThat(alice.record(cluster).screen()).isNull();
    assertThat(bob.record(cluster).subscriptions()).containsOnlyKeys("alice");
    assertThat(bob.channel.last(ServerMessage.ScreenShare.class)).isEqualTo(new ServerMessage.ScreenShare("alice",
        false));
    assertThat(alice.channel.sent(ServerMessage.ScreenShare.class)).as("the sharer knows").isEmpty();
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(3, 2));
  }

  @Test
  void aSecondShareIsRefusedAndSoIsAStopWithoutOne() {
    alice.refused(new ClientMessage.UnpublishScreen(null), ErrorCode.UNKNOWN_STREAM);
    share(alice);

    alice.refused(new ClientMessage.PublishScreen("another screen", null), ErrorCode.INVALID_SDP);

    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).isEqualTo(3);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(3, 2));
  }

  @Test
  void aScreenOfferTheMediaServerRefusesLeavesNoEndpointAndNobodyIsTold() {
    alice.refused(new ClientMessage.PublishScreen(FakeMediaServer.REFUSED_OFFER, null), ErrorCode.INVALID_SDP);
    cluster.settle();

    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).as("the cameras").isEqualTo(2);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(2, 2));
    assertThat(alice.record(cluster).screen()).isNull();
    assertThat(bob.channel.sent()).isEmpty();

    share(alice);
    assertThat(alice.record(cluster).screen()).isNotNull();
  }

  @Test
  void candidatesForTheSharedScreenGoToItsEndpoint() {
    share(alice);
    String screen = alice.record(cluster).screen();

    alice.candidate("alice", Stream.SCREEN, CANDIDATE);

    assertThat(cluster.kms.remoteCandidates(KMS_0, screen)).containsExactly(CANDIDATE);
    assertThat(cluster.kms.remoteCandidates(KMS_0, alice.record(cluster).publisher())).isEmpty();
  }

  @Test
  void whoeverLeavesWhileSharingTakesTheScreenWithThemAndWhatOthersReceivedOfIt() {
    share(alice);
    bob.send(new ClientMessage.ReceiveVideoFrom("alice", "bob receives alice's screen", Stream.SCREEN, null));
    String receivingScreen = bob.record(cluster).subscriptions().get("alice#screen");

    alice.leave();
    cluster.settle();

    assertThat(cluster.kms.exists(KMS_0, receivingScreen)).isFalse();
    assertThat(bob.record(cluster).subscriptions()).isEmpty();
    assertThat(bob.departures()).containsExactly("alice");
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(1, 1));
  }
}
