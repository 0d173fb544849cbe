package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.ServerMessage.BroadcastResponse;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import io.switchboard.signaling.domain.RecordingLoadReporter.Load;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Broadcast rooms as Kurento's one2many tutorial has them: one presenter, viewers, and {@code stop}. */
class BroadcastTest extends TwoPods {

  static final String ROOM = "town-hall";

  Client alice;
  Client bob;
  Client carol;

  @BeforeEach
  void join() {
    alice = podA.join(ROOM, "alice");
    bob = podB.join(ROOM, "bob");
    carol = podB.join(ROOM, "carol");
    cluster.settle();
  }

  void present(Client who, String offer) {
    who.send(new ClientMessage.Presenter(offer, null));
  }

  void view(Client who, String offer) {
    who.send(new ClientMessage.Viewer(offer, null));
  }

  @Test
  void aPresenterIsAnsweredAsPresenterResponseAndTheRoomHasOne() {
    String camera = alice.record(cluster).publisher();

    present(alice, "alice presents");

    assertThat(alice.channel.last(BroadcastResponse.class)).isEqualTo(
        new BroadcastResponse(true, true, FakeMediaServer.answerTo(camera, "alice presents"), null));
    assertThat(cluster.store.presenter(ROOM)).contains(alice.participant.presenterClaim());
    assertThat(alice.record(cluster).publishing()).isTrue();
    assertThat(cluster.bus.published(ROOM)).last().isEqualTo(
        new RoomEvents.PresenterChanged("alice", alice.participant.memberId, "pod-a", true));
  }

  @Test
  void aSecondPresenterIsRejectedWithTheNameOfTheOnePresenting() {
    present(alice, "alice presents");

    bob.refused(new ClientMessage.Presenter("bob presents too", null), ErrorCode.NOT_ALLOWED);

    assertThat(bob.channel.last(BroadcastResponse.class)).isEqualTo(
        new BroadcastResponse(true, false, null, "alice is presenting"));
    assertThat(bob.record(cluster).publishing()).isFalse();
    assertThat(cluster.kms.offer(KMS_0, bob.record(cluster).publisher())).isNull();
    assertThat(cluster.store.presenter(ROOM)).contains(alice.participant.presenterClaim());
  }

  @Test
  void aParticipantWhoseCameraIsPublishedMustStopBeforePresenting() {
    alice.publish("alice's camera");

    alice.refused(new ClientMessage.Presenter("alice presents", null), ErrorCode.NOT_ALLOWED);

    assertThat(alice.channel.last(BroadcastResponse.class)).isEqualTo(new BroadcastResponse(true, false, null,
        "your camera is published already: stop, then present"));
    assertThat(cluster.store.presenter(ROOM)).isEmpty();
  }

  @Test
  void aPresenterOfferTheMediaServerRefusesFreesTheSlot() {
    alice.refused(new ClientMessage.Presenter(FakeMediaServer.REFUSED_OFFER, null), ErrorCode.INVALID_SDP);

    assertThat(alice.channel.last(BroadcastResponse.class).accepted()).isFalse();
    assertThat(cluster.store.presenter(ROOM)).isEmpty();
    present(bob, "bob presents");
    assertThat(bob.channel.last(BroadcastResponse.class).accepted()).isTrue();
  }

  @Test
  void aViewerReceivesThePresenterAnsweredAsViewerResponse() {
    present(alice, "alice presents");

    view(bob, "bob views");

    String viewing = bob.record(cluster).subscriptions().get("alice");
    assertThat(bob.channel.last(BroadcastResponse.class)).isEqualTo(
        new BroadcastResponse(false, true, FakeMediaServer.answerTo(viewing, "bob views"), null));
    assertThat(cluster.kms.connects()).containsExactly(
        new FakeMediaServer.Connection(KMS_0, alice.record(cluster).publisher(), viewing));
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(4, 3));
  }

  @Test
  void viewingWithNobodyPresentingOrOneselfIsRejected() {
    bob.refused(new ClientMessage.Viewer("bob views", null), ErrorCode.UNKNOWN_SENDER);
    assertThat(bob.channel.last(BroadcastResponse.class)).isEqualTo(
        new BroadcastResponse(false, false, null, "nobody is presenting in room " + ROOM));

    present(alice, "alice presents");
    alice.refused(new ClientMessage.Viewer("alice views herself", null), ErrorCode.UNKNOWN_SENDER);
    assertThat(alice.channel.last(BroadcastResponse.class)).isEqualTo(
        new BroadcastResponse(false, false, null, "you are the presenter"));
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).isEqualTo(3);
  }

  @Test
  void whenThePresenterStopsItsViewersAreToldAndItsCameraStartsAfresh() {
    present(alice, "alice presents");
    view(bob, "bob views");
    view(carol, "carol views");
    String oldCamera = alice.record(cluster).publisher();
    String bobViewing = bob.record(cluster).subscriptions().get("alice");

    alice.send(new ClientMessage.Stop(null));
    cluster.settle();

    assertThat(cluster.store.presenter(ROOM)).isEmpty();
    String newCamera = alice.record(cluster).publisher();
    assertThat(newCamera).isNotEqualTo(oldCamera);
    assertThat(cluster.kms.exists(KMS_0, oldCamera)).isFalse();
    assertThat(cluster.kms.exists(KMS_0, newCamera)).isTrue();
    assertThat(alice.record(cluster).publishing()).isFalse();
    assertThat(bob.channel.sent(ServerMessage.StopCommunication.class)).hasSize(1);
    assertThat(carol.channel.sent(ServerMessage.StopCommunication.class)).hasSize(1);
    assertThat(alice.channel.sent(ServerMessage.StopCommunication.class)).isEmpty();
    assertThat(cluster.kms.exists(KMS_0, bobViewing)).isFalse();
    assertThat(bob.record(cluster).subscriptions()).isEmpty();
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(3, 3));

    present(alice, "alice presents again");
    assertThat(alice.channel.last(BroadcastResponse.class)).isEqualTo(
        new BroadcastResponse(true, true, FakeMediaServer.answerTo(newCamera, "alice presents again"), null));
  }

  @Test
  void aViewerStopsViewingAndThePresenterGoesOn() {
    present(alice, "alice presents");
    view(bob, "bob views");
    String viewing = bob.record(cluster).subscriptions().get("alice");

    bob.send(new ClientMessage.Stop(null));
    cluster.settle();

    assertThat(cluster.kms.exists(KMS_0, viewing)).isFalse();
    assertThat(bob.record(cluster).subscriptions()).isEmpty();
    assertThat(bob.channel.sent(ServerMessage.StopCommunication.class)).isEmpty();
    assertThat(cluster.store.presenter(ROOM)).contains(alice.participant.presenterClaim());
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(3, 3));
    view(bob, "bob views again");
    assertThat(bob.channel.last(BroadcastResponse.class).accepted()).isTrue();
  }

  @Test
  void aStopFromSomeoneNeitherPresentingNorViewingIsRefused() {
    carol.refused(new ClientMessage.Stop(null), ErrorCode.UNKNOWN_STREAM);
    present(alice, "alice presents");
    carol.refused(new ClientMessage.Stop(null), ErrorCode.UNKNOWN_STREAM);

    assertThat(cluster.store.presenter(ROOM)).isPresent();
  }
}
