package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static io.switchboard.signaling.domain.Cluster.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.Grant;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.ServerMessage.BroadcastResponse;
import io.switchboard.groupcall.protocol.Stream;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.Cluster.Pod;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What a message may do: the grants of the join token of the socket it came on, and the room's limits. */
class GrantsTest {

  static final String ROOM = "standup";

  final Grants grants = new Grants(Cluster.LIMITS);
  final RecordingChannel current = new RecordingChannel();
  final Participant alice = new Participant("alice", ROOM, ROOM, Cluster.NODE_0, KMS_0, "m-1", 0, current,
      "pipeline-1/webrtc-2", "hash");

  static RecordingChannel socketWith(Grant... granted) {
    return new RecordingChannel(new Access("alice", ROOM, granted.length == 0 ? Set.of() : EnumSet.of(granted[0],
        granted)));
  }

  static final List<ClientMessage> WITHOUT_MEDIA = List.of(new ClientMessage.Chat("hi", null, null),
      new ClientMessage.MediaState(false, true, null), new ClientMessage.LeaveRoom(null),
      new ClientMessage.OnIceCandidate("bob", new IceCandidate("c", "0", 0), Stream.WEBCAM, null),
      new ClientMessage.UnpublishScreen(null), new ClientMessage.Stop(null), new ClientMessage.StopRecording(null));

  static final List<ClientMessage> EVERYTHING = List.of(
      new ClientMessage.ReceiveVideoFrom("alice", "offer", Stream.WEBCAM, null),
      new ClientMessage.ReceiveVideoFrom("bob", "offer", Stream.WEBCAM, null),
      new ClientMessage.PublishScreen("offer", null), new ClientMessage.StartRecording(null),
      new ClientMessage.Presenter("offer", null), new ClientMessage.Viewer("offer", null));

  @Test
  void withoutAJoinTokenEveryMessageIsAllowed() {
    RecordingChannel open = new RecordingChannel();
    for (ClientMessage m : EVERYTHING) {
      grants.require(alice, open, m);
    }
    assertThat(open.sent()).isEmpty();
  }

  @Test
  void anAdminTokenAllowsEveryMessage() {
    RecordingChannel admin = new RecordingChannel(new Access("alice", "*", Set.of(Grant.ADMIN)));
    for (ClientMessage m : EVERYTHING) {
      grants.require(alice, admin, m);
    }
    assertThat(admin.sent()).isEmpty();
  }

  @Test
  void messagesThatSendOrReceiveNoMediaNeedNoGrant() {
    RecordingChannel none = socketWith();
    for (ClientMessage m : WITHOUT_MEDIA) {
      grants.require(alice, none, m);
    }
  }

  @Test
  void sendingMediaNeedsThePublishGrant() {
    RecordingChannel viewer = socketWith(Grant.SUBSCRIBE, Grant.RECORD, Grant.PRESENTER);

    var refused = refusal(ErrorCode.NOT_ALLOWED, () -> grants.require(alice, viewer,
        new ClientMessage.ReceiveVideoFrom("alice", "offer", Stream.WEBCAM, "r1")));
    refusal(ErrorCode.NOT_ALLOWED, () -> grants.require(alice, viewer, new ClientMessage.PublishScreen("o", null)));

    assertThat(refused.getMessage()).isEqualTo("sending media needs the publish grant, which your join token lacks");
    assertThat(refused.requestId()).isEqualTo("r1");
    grants.require(alice, viewer, new ClientMessage.ReceiveVideoFrom("bob", "offer", Stream.WEBCAM, null));
    grants.require(alice, viewer, new ClientMessage.StartRecording(null));
  }

  @Test
  void receivingOthersMediaNeedsTheSubscribeGrant() {
    RecordingChannel publisher = socketWith(Grant.PUBLISH);

    var refused = refusal(ErrorCode.NOT_ALLOWED, () -> grants.require(alice, publisher,
        new ClientMessage.ReceiveVideoFrom("bob", "offer", Stream.SCREEN, null)));

    assertThat(refused.getMessage()).contains("receiving others' media", "subscribe");
    grants.require(alice, publisher, new ClientMessage.ReceiveVideoFrom("alice", "offer", Stream.WEBCAM, null));
  }

  @Test
  void recordingNeedsTheRecordGrant() {
    refusal(ErrorCode.NOT_ALLOWED, () -> grants.require(alice, socketWith(Grant.PUBLISH, Grant.SUBSCRIBE),
        new ClientMessage.StartRecording(null)));
  }

  @Test
  void presentingNeedsPublishAndPresenterAndARefusalIsARejectedPresenterResponse() {
    RecordingChannel publishOnly = socketWith(Grant.PUBLISH);
    RecordingChannel presenterOnly = socketWith(Grant.PRESENTER);

    refusal(ErrorCode.NOT_ALLOWED, () -> grants.require(alice, publishOnly, new ClientMessage.Presenter("o", null)));
    refusal(ErrorCode.NOT_ALLOWED, () -> grants.require(alice, presenterOnly, new ClientMessage.Presenter("o", null)));

    assertThat(publishOnly.sent()).containsExactly(new BroadcastResponse(true, false, null,
        "presenting needs the presenter grant, which your join token lacks"));
    assertThat(presenterOnly.sent()).containsExactly(new BroadcastResponse(true, false, null,
        "presenting needs the publish grant, which your join token lacks"));
    grants.require(alice, socketWith(Grant.PUBLISH, Grant.PRESENTER), new ClientMessage.Presenter("o", null));
  }

  @Test
  void viewingNeedsSubscribeAndARefusalIsARejectedViewerResponse() {
    RecordingChannel publisher = socketWith(Grant.PUBLISH, Grant.PRESENTER);

    refusal(ErrorCode.NOT_ALLOWED, () -> grants.require(alice, publisher, new ClientMessage.Viewer("o", null)));

    assertThat(publisher.sent()).containsExactly(new BroadcastResponse(false, false, null,
        "viewing the presenter needs the subscribe grant, which your join token lacks"));
    assertThat(current.sent()).as("not the participant's current socket").isEmpty();
  }

  @Test
  void theSocketAMessageCameOnIsJudgedNotTheParticipantsCurrentOne() {
    // The participant's current socket may do anything; the message came on one that may not.
    refusal(ErrorCode.NOT_ALLOWED, () -> grants.require(alice, socketWith(Grant.SUBSCRIBE),
        new ClientMessage.PublishScreen("o", null)));
    // And the other way round.
    RecordingChannel restricted = socketWith(Grant.SUBSCRIBE);
    alice.channel = restricted;
    grants.require(alice, new RecordingChannel(), new ClientMessage.PublishScreen("o", null));
  }

  @Test
  void aRoomThatAllowsNoMediaRefusesSendingItWhateverTheToken() {
    Grants noMedia = new Grants(new RoomLimits(8, false, true, Cluster.LIMITS.recordingUri()));

    refusal(ErrorCode.NOT_ALLOWED, () -> noMedia.requireMayPublish("r1"));
    new Grants(Cluster.LIMITS).requireMayPublish("r1");
  }

  /** Through the service: a refused message changes nothing. */
  @Nested
  class InACall {

    final Cluster cluster = new Cluster();
    final Pod pod = cluster.pod("pod-a");

    @AfterEach
    void close() {
      cluster.close();
    }

    @Test
    void aSocketWithoutThePublishGrantNegotiatesNothing() {
      Client carol = pod.join(ROOM, "carol", new RecordingChannel(new Access("carol", ROOM, Set.of(Grant.SUBSCRIBE))));
      Client dave = pod.join(ROOM, "dave");

      carol.refused(new ClientMessage.ReceiveVideoFrom("carol", "offer", Stream.WEBCAM, null), ErrorCode.NOT_ALLOWED);
      carol.refused(new ClientMessage.PublishScreen("offer", null), ErrorCode.NOT_ALLOWED);
      carol.refused(new ClientMessage.Presenter("offer", null), ErrorCode.NOT_ALLOWED);
      carol.subscribe("dave", "carol receives dave");
      cluster.settle();

      assertThat(cluster.kms.offer(KMS_0, carol.record(cluster).publisher())).isNull();
      assertThat(carol.record(cluster).publishing()).isFalse();
      assertThat(carol.record(cluster).screen()).isNull();
      assertThat(cluster.store.presenter(ROOM)).isEmpty();
      assertThat(carol.channel.sent(BroadcastResponse.class)).extracting(BroadcastResponse::accepted)
          .containsExactly(false);
      assertThat(carol.record(cluster).subscriptions()).containsOnlyKeys("dave");
      assertThat(dave.channel.sent(ServerMessage.ScreenShare.class)).isEmpty();
    }

    @Test
    void aRoomThatAllowsNoMediaRefusesCameraScreenAndPresentingButNotReceiving() {
      Pod listenOnly = cluster.limits(new RoomLimits(8, false, true, Cluster.LIMITS.recordingUri())).pod("pod-b");
      Client carol = listenOnly.join(ROOM, "carol");
      Client dave = listenOnly.join(ROOM, "dave");

      carol.refused(new ClientMessage.ReceiveVideoFrom("carol", "offer", Stream.WEBCAM, null), ErrorCode.NOT_ALLOWED);
      carol.refused(new ClientMessage.PublishScreen("offer", null), ErrorCode.NOT_ALLOWED);
      carol.refused(new ClientMessage.Presenter("offer", null), ErrorCode.NOT_ALLOWED);
      carol.subscribe("dave", "carol receives dave");

      assertThat(carol.channel.last(BroadcastResponse.class)).isEqualTo(new BroadcastResponse(true, false, null,
          "sending media is not allowed in this room"));
      assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).as("two cameras, one received").isEqualTo(3);
      assertThat(dave.record(cluster).publishing()).isFalse();
    }
  }
}
