package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import io.switchboard.signaling.domain.RecordingLoadReporter.Load;
import org.junit.jupiter.api.BeforeEach;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** WebRTC negotiation: publishing the camera, receiving another's, and the browser's ICE candidates. */
class NegotiationTest extends TwoPods {

  static final String ROOM = "standup";

  Client alice;
  Client bob;

  @BeforeEach
  void join() {
    alice = podA.join(ROOM, "alice");
    bob = podB.join(ROOM, "bob");
    cluster.settle();
  }

  static IceCandidate candidate(int n) {
    return new IceCandidate("candidate:" + n + " 1 UDP 1 10.0.0.1 " + (4000 + n) + " typ host", "0", 0);
  }

  @Test
  void aParticipantPublishesItsCameraOnceWithTheAnswerOfItsEndpoint() {
    String publisher = alice.record(cluster).publisher();

    alice.publish("alice's offer");

    assertThat(alice.channel.last(ServerMessage.ReceiveVideoAnswer.class)).isEqualTo(
        new ServerMessage.ReceiveVideoAnswer("alice", FakeMediaServer.answerTo(publisher, "alice's offer"),
            Stream.WEBCAM));
    assertThat(cluster.kms.gathering(KMS_0, publisher)).isTrue();
    assertThat(alice.record(cluster).publishing()).isTrue();

    alice.refused(new ClientMessage.ReceiveVideoFrom("alice", "another offer", Stream.WEBCAM, null),
        ErrorCode.INVALID_SDP);
    assertThat(cluster.kms.offer(KMS_0, publisher)).isEqualTo("alice's offer");
    assertThat(alice.channel.sent(ServerMessage.ReceiveVideoAnswer.class)).hasSize(1);
  }

  @Test
  void anOfferTheMediaServerRefusesMayBeMadeAgain() {
    alice.refused(new ClientMessage.ReceiveVideoFrom("alice", FakeMediaServer.REFUSED_OFFER, Stream.WEBCAM, null),
        ErrorCode.INVALID_SDP);
    assertThat(alice.record(cluster).publishing()).isFalse();

    alice.publish("a better offer");

    assertThat(alice.record(cluster).publishing()).isTrue();
    assertThat(alice.channel.sent(ServerMessage.ReceiveVideoAnswer.class)).hasSize(1);
  }

  @Test
  void aMediaServerThatCannotBeReachedIsUnavailableNotABadOffer() {
    cluster.kms.makeUnreachable(KMS_0);

    alice.refused(new ClientMessage.ReceiveVideoFrom("alice", "alice's offer", Stream.WEBCAM, null),
        ErrorCode.UNAVAILABLE);

    cluster.kms.makeReachable(KMS_0);
    alice.publish("alice's offer");
    assertThat(alice.record(cluster).publishing()).isTrue();
  }

  @Test
  void aSubscriptionsEndpointIsMadeWithoutHoldingUpTheRoomAndLetGoWhenItsSenderLeavesMeanwhile() throws Exception {
    Client carol = podA.join(ROOM, "carol");
    cluster.settle();
    carol.publish("carol's offer");
    cluster.settle();
    int endpoints = cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT);
    cluster.kms.beforeNextEndpoint(() -> {
      // While alice's endpoint for carol is being made, carol leaves; telling alice (same pod)
      // takes alice's monitor under the room's lock, on another thread: it must not wait for KMS.
      try {
        java.util.concurrent.CompletableFuture.runAsync(() -> {
          carol.leave();
          cluster.settle();
        }).get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("carol's leave waited for alice's endpoint", e);
      }
    });

    // carol's record is read on another thread while the endpoint is made: that read finds her gone
    // (unknown-sender) or not yet, and then her stream is found cancelled (unknown-stream).
    Throwable thrown = catchThrowable(
        () -> alice.send(new ClientMessage.ReceiveVideoFrom("carol", "alice's offer", Stream.WEBCAM, null)));
    assertThat(thrown).as("alice's offer for carol, who left meanwhile").isInstanceOf(ProtocolException.class);
    ProtocolException refusal = (ProtocolException) thrown;
    assertThat(refusal.code()).as(refusal.getMessage()).isIn(ErrorCode.UNKNOWN_STREAM, ErrorCode.UNKNOWN_SENDER);

    assertThat(alice.channel.sent(ServerMessage.ParticipantLeft.class)).extracting(ServerMessage.ParticipantLeft::name)
        .contains("carol");
    assertThat(alice.record(cluster).subscriptions()).doesNotContainKey("carol");
    // carol's publisher went with her, and alice's endpoint for her was released when it came.
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).isEqualTo(endpoints - 1);
  }

  @Test
  void aParticipantReceivesAnothersCameraOnANewEndpointFedByTheirs() {
    String bobsCamera = bob.record(cluster).publisher();

    alice.subscribe("bob", "alice receives bob");

    String receiving = alice.record(cluster).subscriptions().get("bob");
    assertThat(receiving).isNotNull().isNotEqualTo(bobsCamera);
    assertThat(cluster.kms.connects()).containsExactly(new FakeMediaServer.Connection(KMS_0, bobsCamera, receiving));
    assertThat(alice.channel.last(ServerMessage.ReceiveVideoAnswer.class)).isEqualTo(
        new ServerMessage.ReceiveVideoAnswer("bob", FakeMediaServer.answerTo(receiving, "alice receives bob"),
            Stream.WEBCAM));
    assertThat(cluster.kms.gathering(KMS_0, receiving)).isTrue();
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(3, 2));
    cluster.kms.emitCandidate(KMS_0, receiving, candidate(1));
    assertThat(alice.channel.last(ServerMessage.IceCandidateFound.class))
        .isEqualTo(new ServerMessage.IceCandidateFound("bob", candidate(1), Stream.WEBCAM));

    alice.refused(new ClientMessage.ReceiveVideoFrom("bob", "again", Stream.WEBCAM, null), ErrorCode.INVALID_SDP);
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).isEqualTo(3);
  }

  @Test
  void receivingSomeoneWhoIsNotInTheRoomIsRefused() {
    alice.refused(new ClientMessage.ReceiveVideoFrom("mallory", "offer", Stream.WEBCAM, null),
        ErrorCode.UNKNOWN_SENDER);
    alice.refused(new ClientMessage.ReceiveVideoFrom("bob", "offer", Stream.SCREEN, null), ErrorCode.UNKNOWN_STREAM);

    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).isEqualTo(2);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(2, 2));
    assertThat(alice.record(cluster).subscriptions()).isEmpty();
  }

  @Test
  void theSendersRecordIsReadWhileTheEndpointIsMadeWhenTheParticipantWasToldOfThem() {
    java.util.concurrent.CountDownLatch making = new java.util.concurrent.CountDownLatch(1);
    cluster.kms.beforeNextEndpoint(making::countDown);
    // The read waits for the endpoint to be under way: read first, one after the other, it would wait in vain.
    cluster.store.beforeNextMemberRead(() -> {
      try {
        if (!making.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
          throw new AssertionError("bob's record was read before alice's endpoint for him was asked for");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    alice.subscribe("bob", "alice receives bob");

    assertThat(alice.record(cluster).subscriptions()).containsKey("bob");
    assertThat(cluster.kms.connects()).containsExactly(new FakeMediaServer.Connection(KMS_0,
        bob.record(cluster).publisher(), alice.record(cluster).subscriptions().get("bob")));
  }

  @Test
  void noEndpointIsMadeForANameTheParticipantWasNeverToldOf() {
    java.util.concurrent.atomic.AtomicBoolean made = new java.util.concurrent.atomic.AtomicBoolean();
    cluster.kms.beforeNextEndpoint(() -> made.set(true));

    alice.refused(new ClientMessage.ReceiveVideoFrom("mallory", "offer", Stream.WEBCAM, null),
        ErrorCode.UNKNOWN_SENDER);

    assertThat(made).isFalse();
    cluster.kms.beforeNextEndpoint(null);
  }

  @Test
  void aToldSenderWhoseRecordIsGoneIsRefusedAndTheEndpointMadeMeanwhileLetGo() {
    RoomStore.MemberRecord bobs = bob.record(cluster);
    cluster.store.beforeNextMemberRead(() -> cluster.store.removeMember(RoomIds.of(ROOM), "bob", bobs.id(), bobs.pod()));

    alice.refused(new ClientMessage.ReceiveVideoFrom("bob", "offer", Stream.WEBCAM, null), ErrorCode.UNKNOWN_SENDER);

    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).as("the two cameras").isEqualTo(2);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(2, 2));
    assertThat(cluster.kms.connects()).isEmpty();
  }

  @Test
  void aRefusedOfferToReceiveReleasesTheNewEndpointAndItsLoad() {
    alice.refused(new ClientMessage.ReceiveVideoFrom("bob", FakeMediaServer.REFUSED_OFFER, Stream.WEBCAM, null),
        ErrorCode.INVALID_SDP);

    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).as("the two cameras").isEqualTo(2);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(2, 2));
    assertThat(cluster.load.reports()).extracting(RecordingLoadReporter.Report::endpointDelta)
        .containsExactly(1, 1, 1, -1);
    assertThat(alice.record(cluster).subscriptions()).isEmpty();

    alice.subscribe("bob", "a better offer");
    assertThat(alice.record(cluster).subscriptions()).containsOnlyKeys("bob");
  }

  @Test
  void candidatesNamingAddressesKmsMustNotProbeNeverReachItAndTheCallGoesOn() {
    Cluster.Pod guarded = cluster.candidates(CandidateFilter.blocking(List.of("10.100.0.0/16"))).pod("pod-c");
    Client carol = guarded.join(ROOM, "carol");
    cluster.settle();
    carol.publish("carol's offer");
    String publisher = carol.record(cluster).publisher();
    IceCandidate metadata = new IceCandidate("candidate:1 1 udp 1 169.254.169.254 80 typ host", "0", 0);
    IceCandidate loopback = new IceCandidate("candidate:2 1 udp 1 127.0.0.1 6379 typ host", "0", 0);
    IceCandidate service = new IceCandidate("candidate:3 1 tcp 1 10.100.7.8 8090 typ host tcptype passive", "0", 0);
    IceCandidate named = new IceCandidate("candidate:4 1 udp 1 redis.switchboard.svc 6379 typ host", "0", 0);
    IceCandidate real = new IceCandidate("candidate:5 1 udp 1 203.0.113.9 50000 typ srflx raddr 0.0.0.0 rport 0", "0", 0);
    for (IceCandidate c : List.of(metadata, loopback, service, named, real)) {
      carol.candidate("carol", Stream.WEBCAM, c);
    }

    assertThat(cluster.kms.remoteCandidates(KMS_0, publisher)).containsExactly(real);
    assertThat(carol.channel.sent(ServerMessage.Error.class)).isEmpty();
    assertThat(guarded.observer.candidatesDropped("blocked-address")).isEqualTo(3);
    assertThat(guarded.observer.candidatesDropped("hostname")).isEqualTo(1);
  }

  @Test
  void candidatesThatComeBeforeTheirEndpointNegotiatesAreKeptAndGivenToIt() {
    String publisher = alice.record(cluster).publisher();
    alice.candidate("alice", Stream.WEBCAM, candidate(1));
    alice.candidate("alice", Stream.WEBCAM, candidate(2));
    alice.candidate("bob", Stream.WEBCAM, candidate(3));
    assertThat(cluster.kms.remoteCandidates(KMS_0, publisher)).as("not negotiated yet").isEmpty();

    alice.publish("alice's offer");
    alice.subscribe("bob", "alice receives bob");
    alice.candidate("alice", Stream.WEBCAM, candidate(4));

    assertThat(cluster.kms.remoteCandidates(KMS_0, publisher)).containsExactly(candidate(1), candidate(2),
        candidate(4));
    assertThat(cluster.kms.remoteCandidates(KMS_0, alice.record(cluster).subscriptions().get("bob")))
        .containsExactly(candidate(3));
    assertThat(alice.participant.pendingCandidates).isEmpty();
  }

  @Test
  void candidatesForAStreamThatDoesNotExistAreRefused() {
    alice.refused(new ClientMessage.OnIceCandidate("mallory", candidate(1), Stream.WEBCAM, null),
        ErrorCode.UNKNOWN_STREAM);
    alice.refused(new ClientMessage.OnIceCandidate("bob", candidate(1), Stream.SCREEN, null), ErrorCode.UNKNOWN_STREAM);
    alice.refused(new ClientMessage.OnIceCandidate("alice", candidate(1), Stream.SCREEN, null),
        ErrorCode.UNKNOWN_STREAM);

    assertThat(alice.participant.pendingCandidates).isEmpty();
  }

  @Test
  void tooManyCandidatesWaitingForOneEndpointAreRefused() {
    for (int i = 0; i < Participant.MAX_PENDING_CANDIDATES; i++) {
      alice.candidate("alice", Stream.WEBCAM, candidate(i));
    }

    alice.refused(new ClientMessage.OnIceCandidate("alice", candidate(999), Stream.WEBCAM, null),
        ErrorCode.INVALID_VALUE);
    alice.candidate("bob", Stream.WEBCAM, candidate(1000)); // another endpoint's candidates still wait

    alice.publish("alice's offer");
    assertThat(cluster.kms.remoteCandidates(KMS_0, alice.record(cluster).publisher()))
        .hasSize(Participant.MAX_PENDING_CANDIDATES).doesNotContain(candidate(999));
  }

  @Test
  void aParticipantsCandidatesWaitingForAllItsStreamsAreBoundedTooWithoutDisturbingOthers() {
    List<String> senders = List.of("alice", "bob", "carol", "dave");
    podB.join(ROOM, "carol");
    podB.join(ROOM, "dave");
    podB.join(ROOM, "erin");
    cluster.settle();
    for (String sender : senders) { // 4 × 128: the participant's whole allowance
      for (int i = 0; i < Participant.MAX_PENDING_CANDIDATES; i++) {
        alice.candidate(sender, Stream.WEBCAM, candidate(i));
      }
    }
    assertThat(senders.size() * Participant.MAX_PENDING_CANDIDATES).isEqualTo(Participant.MAX_PENDING_CANDIDATES_IN_ALL);

    assertThat(alice.refused(new ClientMessage.OnIceCandidate("erin", candidate(1), Stream.WEBCAM, null),
        ErrorCode.INVALID_VALUE).getMessage()).contains("512 in all");
    bob.candidate("erin", Stream.WEBCAM, candidate(1)); // another participant's allowance is its own

    alice.publish("alice's offer"); // its 128 are applied: room for more again
    alice.candidate("erin", Stream.WEBCAM, candidate(2));
    assertThat(alice.participant.pendingCandidates.get("erin")).containsExactly(candidate(2));
  }

  @Test
  void candidatesOfSomeoneWhoLeftAreDroppedWithWhatWasReceivedOfThem() {
    alice.candidate("bob", Stream.WEBCAM, candidate(1));
    bob.leave();
    cluster.settle();

    assertThat(alice.participant.pendingCandidates).isEmpty();
    assertThat(alice.departures()).containsExactly("bob");
  }

  // ---------------------------------------------------------------- a socket's negotiations side by side

  /** Bob publishes his camera; how many endpoints the node holds then. */
  private int bobPublishes() {
    bob.publish("bob's offer");
    cluster.settle();
    return cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT);
  }

  /** Hands {@code message} to alice's pod as her socket does, its negotiation kept to run later (by the test). */
  private List<Runnable> sendDeferred(Client client, ClientMessage message) {
    List<Runnable> deferred = new ArrayList<>();
    client.participant = client.pod.service.handle(client.participant, client.channel, message, deferred::add);
    return deferred;
  }

  @Test
  void candidatesSentRightAfterAnOfferStillBeingNegotiatedAreKeptForItWithoutAskingRedis() {
    bob.publish("bob's offer");
    AtomicInteger reads = new AtomicInteger();
    cluster.onStore("member", (args, proceed) -> {
      reads.incrementAndGet();
      return proceed.call();
    });
    List<Runnable> negotiation = sendDeferred(alice, new ClientMessage.ReceiveVideoFrom("bob", "alice receives bob",
        Stream.WEBCAM, null));
    assertThat(negotiation).as("checked and reserved, the rest to run elsewhere").hasSize(1);

    alice.candidate("bob", Stream.WEBCAM, candidate(1));
    alice.candidate("bob", Stream.WEBCAM, candidate(2));
    assertThat(reads).as("no record read for a stream being made").hasValue(0);

    negotiation.get(0).run();

    String receiving = alice.record(cluster).subscriptions().get("bob");
    assertThat(cluster.kms.remoteCandidates(KMS_0, receiving)).containsExactly(candidate(1), candidate(2));
    assertThat(alice.channel.last(ServerMessage.ReceiveVideoAnswer.class).name()).isEqualTo("bob");
  }

  @Test
  void aSubscriptionRenewedWhileTheFirstWasBeingMadeIsServedAndTheFirstLetGo() {
    int endpoints = bobPublishes();
    List<Runnable> first = sendDeferred(alice, new ClientMessage.ReceiveVideoFrom("bob", "first offer",
        Stream.WEBCAM, null));
    // Bob leaves and comes back before the first offer is negotiated: alice's client, told so,
    // asks for his camera again.
    bob.leave();
    cluster.settle();
    bob = podB.join(ROOM, "bob");
    bob.publish("bob's offer again");
    cluster.settle();

    alice.subscribe("bob", "second offer");
    Cluster.refusal(ErrorCode.UNKNOWN_STREAM, () -> first.get(0).run());

    String receiving = alice.record(cluster).subscriptions().get("bob");
    assertThat(cluster.kms.offer(KMS_0, receiving)).isEqualTo("second offer");
    assertThat(cluster.kms.connects()).last().isEqualTo(new FakeMediaServer.Connection(KMS_0,
        bob.record(cluster).publisher(), receiving));
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT))
        .as("the two cameras (bob's a new one) and alice's one receiver: the first was let go").isEqualTo(endpoints + 1);
  }

  @Test
  void anOfferStillBeingNegotiatedWhenItsParticipantLeavesLeavesNothingBehind() {
    int endpoints = bobPublishes();
    List<Runnable> negotiation = sendDeferred(alice, new ClientMessage.ReceiveVideoFrom("bob", "alice receives bob",
        Stream.WEBCAM, null));

    alice.leave();
    assertThatThrownBy(() -> negotiation.get(0).run()).isInstanceOf(ProtocolException.class);
    cluster.settle();

    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).as("bob's camera alone")
        .isEqualTo(endpoints - 1);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(1, 1));
  }

  @Test
  void aSubscriptionWhoseRecordIsNoLongerThisPodsIsNotAnsweredAndLeavesNothing() {
    int endpoints = bobPublishes();
    Load before = cluster.load.room(ROOM);
    // Written while KMS negotiates: the record says alice is another pod's now (resumed there).
    cluster.onStore("replaceMember", (args, proceed) -> "alice".equals(args[1]) ? false : proceed.call());

    alice.refused(new ClientMessage.ReceiveVideoFrom("bob", "alice receives bob", Stream.WEBCAM, null),
        ErrorCode.NOT_JOINED);

    assertThat(alice.channel.sent(ServerMessage.ReceiveVideoAnswer.class)).isEmpty();
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).isEqualTo(endpoints);
    assertThat(cluster.load.room(ROOM)).isEqualTo(before);
  }
}
