package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static io.switchboard.signaling.domain.Cluster.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.Grant;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.ServerMessage.ParticipantState;
import io.switchboard.groupcall.protocol.Stream;
import io.switchboard.presence.PresenceType;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.Cluster.Pod;
import io.switchboard.signaling.domain.RecordingLoadReporter.Load;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code resume}: a new socket takes a session over with its token, on the same pod or another. */
class ResumptionTest extends TwoPods {

  static final String ROOM = "standup";
  static final IceCandidate CANDIDATE = new IceCandidate("candidate:7 1 UDP 1 10.0.0.7 7 typ host", "0", 0);

  @Test
  void aResumeOnTheSamePodReplacesTheSocketAndClosesTheOldOneAsReplaced() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podA.join(ROOM, "bob");
    alice.publish("alice's offer");
    cluster.settle();

    Client resumed = alice.resumeOn(podA);
    cluster.settle();

    assertThat(resumed.participant).as("the same participant, on a new socket").isSameAs(alice.participant);
    assertThat(resumed.channel.sent()).containsExactly(new ServerMessage.Resumed("alice", ROOM),
        new ServerMessage.Session(resumed.token),
        new ServerMessage.ExistingParticipants(List.of(new ParticipantState("bob", true, true, false))));
    assertThat(resumed.token).isNotEqualTo(alice.token);
    assertThat(alice.record(cluster).session()).isEqualTo(SessionTokens.hash(resumed.token));
    assertThat(alice.channel.closedWith()).isEqualTo(
        new RecordingChannel.Close(RecordingChannel.REPLACED, "resumed on another socket"));
    assertThat(podA.observer.resumedHere()).isEqualTo(1);
    assertThat(cluster.presence.types()).last().isEqualTo(PresenceType.PARTICIPANT_RESUMED);
    assertThat(alice.record(cluster).pod()).isEqualTo("pod-a");
    assertThat(alice.record(cluster).publishing()).as("no renegotiation").isTrue();
    assertThat(bob.channel.sent()).as("bob notices nothing").hasSize(2); // existingParticipants and session
  }

  @Test
  void theNewSocketGetsTheRoomAndTheCandidatesAndTheOldOneSpeaksForNobody() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podA.join(ROOM, "bob");
    Client resumed = alice.resumeOn(podA);

    bob.send(new ClientMessage.Chat("welcome back", null, null));
    cluster.settle();
    cluster.kms.emitCandidate(KMS_0, alice.record(cluster).publisher(), CANDIDATE);

    assertThat(resumed.channel.sent(ServerMessage.ChatMessage.class)).extracting(ServerMessage.ChatMessage::text)
        .containsExactly("welcome back");
    assertThat(resumed.channel.last(ServerMessage.IceCandidateFound.class))
        .isEqualTo(new ServerMessage.IceCandidateFound("alice", CANDIDATE, Stream.WEBCAM));
    refusal(ErrorCode.NOT_JOINED, () -> alice.send(new ClientMessage.Chat("am I still here?", null, null)));
    cluster.settle();
    assertThat(bob.channel.sent(ServerMessage.ChatMessage.class)).extracting(ServerMessage.ChatMessage::text)
        .containsExactly("welcome back");
  }

  @Test
  void anUnknownTokenIsRefused() {
    podA.join(ROOM, "alice");
    RecordingChannel stranger = new RecordingChannel();

    refusal(ErrorCode.INVALID_TOKEN, () -> podA.service.handle(null, stranger,
        new ClientMessage.Resume(SessionTokens.newToken(), "r1")));

    assertThat(stranger.sent()).isEmpty();
    assertThat(podA.localParticipants()).isEqualTo(1);
  }

  @Test
  void theTokenOfASessionThatEndedIsRefused() {
    Client alice = podA.join(ROOM, "alice");
    podA.join(ROOM, "bob");
    alice.leave();

    refusal(ErrorCode.INVALID_TOKEN, () -> podB.service.handle(null, new RecordingChannel(),
        new ClientMessage.Resume(alice.token, "r1")));

    assertThat(cluster.store.member(ROOM, "alice")).isEmpty();
    assertThat(podB.localParticipants()).isZero();
    assertThat(podB.events.follows(ROOM)).isFalse();
  }

  @Test
  void aTokenIsOfNoUseToASocketWhoseJoinTokenIsForSomeoneElse() {
    Client alice = podA.join(ROOM, "alice");
    RecordingChannel mallory = new RecordingChannel(new Access("mallory", ROOM, Set.of(Grant.PUBLISH)));

    refusal(ErrorCode.NOT_ALLOWED, () -> podB.service.handle(null, mallory,
        new ClientMessage.Resume(alice.token, "r1")));

    assertThat(alice.record(cluster).pod()).isEqualTo("pod-a");
    assertThat(alice.channel.closed()).isFalse();
  }

  @Test
  void aResumeOnAnotherPodTakesTheRecordAndTheMediaOverWithoutRenegotiating() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podA.join(ROOM, "bob");
    bob.publish("bob's offer");
    alice.publish("alice's offer");
    alice.subscribe("bob", "alice receives bob");
    cluster.settle();
    RoomStore.MemberRecord before = alice.record(cluster);
    String receiving = before.subscriptions().get("bob");

    Client resumed = alice.resumeOn(podB);
    cluster.settle();

    RoomStore.MemberRecord after = alice.record(cluster);
    assertThat(after.pod()).isEqualTo("pod-b");
    assertThat(after).usingRecursiveComparison().ignoringFields("session").isEqualTo(before.withPod("pod-b"));
    assertThat(after.session()).isEqualTo(SessionTokens.hash(resumed.token)).isNotEqualTo(before.session());
    assertThat(cluster.registry.served("pod-a")).containsExactly(bob.participant.entry());
    assertThat(cluster.registry.served("pod-b")).containsExactly(resumed.participant.entry());
    assertThat(resumed.channel.sent()).containsExactly(new ServerMessage.Resumed("alice", ROOM),
        new ServerMessage.Session(resumed.token),
        new ServerMessage.ExistingParticipants(List.of(new ParticipantState("bob", true, true, false))));
    assertThat(podB.observer.resumedFromElsewhere()).isEqualTo(1);
    assertThat(cluster.bus.published(ROOM)).last().isEqualTo(
        new RoomEvents.Moved("alice", before.id(), "pod-b"));
    // The first pod let her go: her old socket is closed as replaced, and bob noticed nothing.
    assertThat(alice.channel.closedWith().code()).isEqualTo(RecordingChannel.REPLACED);
    assertThat(podA.localParticipants()).isEqualTo(1);
    assertThat(podB.localParticipants()).isEqualTo(1);
    assertThat(bob.departures()).isEmpty();
    assertThat(bob.arrivals()).isEmpty();
    // Her endpoints' candidates now go to pod B, and from there to her new socket.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(podA.media.listener(KMS_0, before.publisher())).isNull());
    assertThat(cluster.kms.emitCandidate(KMS_0, before.publisher(), CANDIDATE)).isEqualTo(1);
    assertThat(cluster.kms.emitCandidate(KMS_0, receiving, CANDIDATE)).isEqualTo(1);
    assertThat(resumed.channel.sent(ServerMessage.IceCandidateFound.class)).containsExactly(
        new ServerMessage.IceCandidateFound("alice", CANDIDATE, Stream.WEBCAM),
        new ServerMessage.IceCandidateFound("bob", CANDIDATE, Stream.WEBCAM));
    assertThat(cluster.kms.offer(KMS_0, before.publisher())).isEqualTo("alice's offer");
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(3, 2));
  }

  @Test
  void whatTheTakenOverParticipantReceivedOfThoseWhoLeftOrStoppedSharingMeanwhileIsReleased() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podB.join(ROOM, "bob");
    Client carol = podB.join(ROOM, "carol");
    bob.publish("bob's offer");
    bob.send(new ClientMessage.PublishScreen("bob's screen", null));
    carol.publish("carol's offer");
    cluster.settle();
    alice.subscribe("bob", "alice receives bob");
    alice.send(new ClientMessage.ReceiveVideoFrom("bob", "alice receives bob's screen", Stream.SCREEN, null));
    alice.subscribe("carol", "alice receives carol");
    Map<String, String> received = alice.record(cluster).subscriptions();
    assertThat(received).containsOnlyKeys("bob", "bob#screen", "carol");
    // Pod A dies: nobody is there to release what alice received when bob stops sharing and carol leaves.
    podA.crash();
    bob.send(new ClientMessage.UnpublishScreen(null));
    carol.leave();
    cluster.settle();
    assertThat(cluster.kms.exists(KMS_0, received.get("carol"))).isTrue();

    Client resumed = alice.resumeOn(podB);
    cluster.settle();

    assertThat(alice.record(cluster).subscriptions()).containsOnlyKeys("bob");
    assertThat(cluster.kms.exists(KMS_0, received.get("bob"))).isTrue();
    assertThat(cluster.kms.exists(KMS_0, received.get("bob#screen"))).isFalse();
    assertThat(cluster.kms.exists(KMS_0, received.get("carol"))).isFalse();
    assertThat(cluster.load.room(ROOM)).as("alice's and bob's cameras, and alice receiving bob")
        .isEqualTo(new Load(3, 2));
    assertThat(resumed.channel.last(ServerMessage.ExistingParticipants.class).participants())
        .extracting(ParticipantState::name).containsExactly("bob");
  }

  @Test
  void aParkedParticipantTakenOverByAnotherPodIsLetGoWithoutClosingAnything() {
    Client alice = podA.join(ROOM, "alice");
    podA.join(ROOM, "bob");
    alice.disconnect();
    PodRegistry.Entry entry = alice.participant.entry();
    assertThat(cluster.registry.parkedUntil(entry)).isNotNull();

    Client resumed = alice.resumeOn(podB);
    cluster.settle();

    assertThat(alice.record(cluster).parkedUntil()).isZero();
    assertThat(cluster.registry.parkedUntil(entry)).isNull();
    assertThat(alice.participant.gone).isTrue();
    assertThat(alice.channel.closed()).as("it was closed by the browser already").isFalse();
    assertThat(podA.localParticipants()).isEqualTo(1);
    assertThat(resumed.channel.sent(ServerMessage.Resumed.class)).hasSize(1);
  }

  @Test
  void aResumeBackOntoTheFirstPodKeepsItsListenersHoweverLateThatPodLetItGo() throws InterruptedException {
    Client alice = podA.join(ROOM, "alice");
    String publisher = alice.record(cluster).publisher();
    // Pod A's clean-up thread is slow: it stops listening only after alice came back to pod A.
    CountDownLatch late = new CountDownLatch(1);
    CountDownLatch unlistened = new CountDownLatch(2); // pod A's, late, and pod B's
    cluster.onMedia("unlisten", (args, proceed) -> {
      late.await(5, TimeUnit.SECONDS);
      Object done = proceed.call();
      unlistened.countDown();
      return done;
    });
    Client onB = alice.resumeOn(podB);
    cluster.settle();

    Client backOnA = onB.resumeOn(podA);
    cluster.settle();
    late.countDown();
    assertThat(unlistened.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(podB.media.listener(KMS_0, publisher)).isNull();

    assertThat(alice.record(cluster).pod()).isEqualTo("pod-a");
    assertThat(onB.channel.closedWith().code()).isEqualTo(RecordingChannel.REPLACED);
    assertThat(cluster.kms.emitCandidate(KMS_0, publisher, CANDIDATE)).as("pod A listens again").isEqualTo(1);
    assertThat(backOnA.channel.sent(ServerMessage.IceCandidateFound.class)).hasSize(1);
    assertThat(podA.localParticipants()).isEqualTo(1);
    assertThat(podB.localParticipants()).isZero();
  }

  @Test
  void everyResumeSpendsItsTokenAndHandsOutANewOne() {
    Client alice = podA.join(ROOM, "alice");
    String first = alice.token;

    Client onB = alice.resumeOn(podB);
    cluster.settle();

    // The spent token resumes nothing, on either pod, and is gone from the store.
    assertThat(cluster.store.session(SessionTokens.hash(first))).isEmpty();
    for (Pod pod : List.of(podA, podB)) {
      Client thief = new Client(pod, ROOM, "alice", new RecordingChannel(Access.ANYONE));
      thief.refused(new ClientMessage.Resume(first, "stolen"), ErrorCode.INVALID_TOKEN);
      assertThat(thief.participant).isNull();
    }
    // The new one works, once, and hands out another.
    Client backOnA = onB.resumeOn(podA);
    assertThat(backOnA.token).isNotEqualTo(onB.token).isNotEqualTo(first);
    assertThat(cluster.store.session(SessionTokens.hash(onB.token))).isEmpty();
    assertThat(cluster.store.session(SessionTokens.hash(backOnA.token))).isPresent();
    assertThat(alice.record(cluster).session()).isEqualTo(SessionTokens.hash(backOnA.token));
  }

  @Test
  void aResumeWhoseCameraEndpointIsGoneEndsTheSession() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podA.join(ROOM, "bob");
    cluster.kms.release(KMS_0, alice.record(cluster).publisher()); // KMS lost it (a restart, say)

    refusal(ErrorCode.INVALID_TOKEN, () -> alice.resumeOn(podB));
    cluster.settle();

    assertThat(cluster.store.member(ROOM, "alice")).isEmpty();
    assertThat(bob.departures()).containsExactly("alice");
    assertThat(alice.channel.closedWith()).isEqualTo(
        new RecordingChannel.Close(RecordingChannel.ENDED, "the session ended: join again"));
    assertThat(podA.localParticipants()).isEqualTo(1);
    assertThat(podB.localParticipants()).isZero();
    assertThat(podB.events.follows(ROOM)).isFalse();
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(1, 1));
    assertThat(cluster.registry.served("pod-b")).isEmpty();
  }

  // ---------------------------------------------------------------- no round trip under the room's lock

  @Test
  void aTakeOverListensToKmsWithoutHoldingUpTheRoomAndTellsWhatCameMeanwhileOnce() {
    Client alice = podA.join(ROOM, "alice");
    podB.join(ROOM, "bob");
    Client carol = podB.join(ROOM, "carol");
    carol.publish("carol's offer");
    alice.subscribe("carol", "alice receives carol");
    String received = alice.record(cluster).subscriptions().get("carol");
    String camera = alice.record(cluster).publisher();
    podA.crash();
    AtomicBoolean once = new AtomicBoolean();
    cluster.onMedia("listen", (args, proceed) -> {
      if (camera.equals(args[1]) && once.compareAndSet(false, true)) {
        // Pod B listens to alice's camera, her takeover not told yet: dave joins there, carol
        // leaves, and pod B delivers both meanwhile (with the room's lock held across this call,
        // this settle would wait for the takeover, and the takeover for it).
        podB.join(ROOM, "dave");
        carol.leave();
        cluster.settle();
      }
      return proceed.call();
    });

    Client resumed = alice.resumeOn(podB);
    cluster.settle();

    assertToldOnceWhatCameMeanwhile(resumed);
    assertThat(alice.record(cluster).subscriptions()).as("what she received of carol, let go").isEmpty();
    assertThat(cluster.kms.exists(KMS_0, received)).isFalse();
    assertThat(podB.localParticipants()).as("bob, dave and alice").isEqualTo(3);
    assertThat(cluster.load.room(ROOM)).as("the cameras of alice, bob and dave").isEqualTo(new Load(3, 3));
  }

  @Test
  void aResumeOnTheSamePodWritesItsRecordWithoutHoldingUpTheRoomAndTellsTheNewSocketWhatCameMeanwhileOnce() {
    Client alice = podA.join(ROOM, "alice");
    podA.join(ROOM, "bob");
    Client carol = podB.join(ROOM, "carol");
    cluster.settle();
    int toldBefore = alice.channel.sent().size();
    AtomicBoolean once = new AtomicBoolean();
    cluster.onStore("replaceMember", (args, proceed) -> {
      Object written = proceed.call();
      if ("alice".equals(args[1]) && once.compareAndSet(false, true)) {
        podB.join(ROOM, "dave");
        carol.leave();
        cluster.settle();
      }
      return written;
    });

    Client resumed = alice.resumeOn(podA);
    cluster.settle();

    assertToldOnceWhatCameMeanwhile(resumed);
    assertThat(alice.channel.sent()).as("the old socket is told nothing meanwhile").hasSize(toldBefore);
    assertThat(alice.channel.closedWith().code()).isEqualTo(RecordingChannel.REPLACED);
    assertThat(alice.record(cluster).session()).isEqualTo(SessionTokens.hash(resumed.token));
  }

  @Test
  void aSecondResumeOfASessionBeingResumedIsToldToResumeAgainAndSpoilsNothing() {
    Client alice = podA.join(ROOM, "alice");
    podA.join(ROOM, "bob");
    AtomicReference<ProtocolException> second = new AtomicReference<>();
    cluster.onStore("replaceMember", (args, proceed) -> {
      if ("alice".equals(args[1]) && second.get() == null) {
        // The first resume is about to take her record over, holding no lock: a second socket
        // with the same token finds it being resumed.
        Client twin = new Client(podB, ROOM, "alice", new RecordingChannel(alice.channel.access()));
        second.set(twin.refused(new ClientMessage.Resume(alice.token, "resume-twin"), ErrorCode.UNAVAILABLE));
      }
      return proceed.call();
    });

    Client resumed = alice.resumeOn(podB);
    cluster.settle();

    assertThat(second.get()).hasMessageContaining("resume again");
    assertThat(alice.record(cluster).pod()).isEqualTo("pod-b");
    assertThat(alice.record(cluster).session()).isEqualTo(SessionTokens.hash(resumed.token));
    assertThat(podB.localParticipants()).isEqualTo(1);
    assertThat(podB.observer.resumedFromElsewhere()).isEqualTo(1);
    assertThat(resumed.channel.sent()).hasSize(3);
  }

  @Test
  void aJanitorRoundDuringATakeOverDoesNotParkTheParticipantBeingTakenOver() {
    Client alice = podA.join(ROOM, "alice");
    podA.join(ROOM, "bob");
    String camera = alice.record(cluster).publisher();
    AtomicBoolean once = new AtomicBoolean();
    cluster.onMedia("listen", (args, proceed) -> {
      if (camera.equals(args[1]) && once.compareAndSet(false, true)) {
        podB.beat(); // its first beat parks what an earlier run of pod B served, if anything
        podB.janitorRound();
      }
      return proceed.call();
    });

    Client resumed = alice.resumeOn(podB);

    assertThat(once).isTrue();
    assertThat(alice.record(cluster).parkedUntil()).isZero();
    assertThat(cluster.registry.parkedUntil(resumed.participant.entry())).isNull();
    assertThat(cluster.registry.served("pod-b")).containsExactly(resumed.participant.entry());
  }

  @Test
  void aTakeOverThatFindsTheRecordChangedIsToldToResumeAgainAndLeavesNothingBehind() {
    Client alice = podA.join(ROOM, "alice");
    podA.join(ROOM, "bob");
    cluster.onStore("replaceMember", (args, proceed) -> false); // another resume took it just now

    refusal(ErrorCode.UNAVAILABLE, () -> alice.resumeOn(podB));
    cluster.unrig();

    assertThat(podB.localParticipants()).isZero();
    assertThat(podB.events.follows(ROOM)).isFalse();
    assertThat(alice.record(cluster).pod()).isEqualTo("pod-a");
    assertThat(alice.record(cluster).session()).as("her token still works").isEqualTo(SessionTokens.hash(alice.token));
    Client resumed = alice.resumeOn(podA);
    assertThat(resumed.channel.last(ServerMessage.ExistingParticipants.class).participants())
        .extracting(ParticipantState::name).containsExactly("bob");
  }

  @Test
  void aTakeOverThatCannotReachKmsLeavesTheParticipantParkedUnderItsTokenForAnotherResume() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podA.join(ROOM, "bob");
    podA.crash();
    cluster.onMedia("listen", (args, proceed) -> {
      throw new MediaServer.MediaException("KMS at " + args[0] + " is unreachable", false, null);
    });

    assertThatThrownBy(() -> alice.resumeOn(podB)).isInstanceOf(MediaServer.MediaException.class);
    cluster.unrig();
    cluster.settle();

    RoomStore.MemberRecord parked = alice.record(cluster);
    assertThat(parked.pod()).isEqualTo("pod-b");
    assertThat(parked.parkedUntil()).isPositive();
    assertThat(parked.session()).as("the token the client holds").isEqualTo(SessionTokens.hash(alice.token));
    assertThat(podB.localParticipants()).isEqualTo(1);
    podB.join(ROOM, "carol"); // told to nobody yet: alice is introduced to the room when she resumes

    Client resumed = alice.resumeOn(podB);
    cluster.settle();

    assertThat(resumed.participant.detached).isFalse();
    assertThat(alice.record(cluster).parkedUntil()).isZero();
    assertThat(resumed.channel.sent()).containsExactly(new ServerMessage.Resumed("alice", ROOM),
        new ServerMessage.Session(resumed.token),
        new ServerMessage.ExistingParticipants(List.of(new ParticipantState("bob", true, true, false),
            new ParticipantState("carol", true, true, false))));
    assertThat(bob.channel.sent(ServerMessage.ParticipantLeft.class)).isEmpty();
  }

  /**
   * What alice's new socket is told when dave joined and carol left while she was being resumed:
   * bob and carol as she found them, then dave's arrival and carol's departure, each once.
   */
  private static void assertToldOnceWhatCameMeanwhile(Client resumed) {
    assertThat(resumed.channel.sent()).containsExactly(new ServerMessage.Resumed("alice", ROOM),
        new ServerMessage.Session(resumed.token),
        new ServerMessage.ExistingParticipants(List.of(new ParticipantState("bob", true, true, false),
            new ParticipantState("carol", true, true, false))),
        new ServerMessage.NewParticipantArrived("dave", true, true),
        new ServerMessage.ParticipantLeft("carol"));
  }
}
