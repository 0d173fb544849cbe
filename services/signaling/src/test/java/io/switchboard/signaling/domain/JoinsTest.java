package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static io.switchboard.signaling.domain.Cluster.NODE_0;
import static io.switchboard.signaling.domain.Cluster.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.ServerMessage.ParticipantState;
import io.switchboard.groupcall.protocol.Stream;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.Cluster.Pod;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import io.switchboard.signaling.domain.RecordingLoadReporter.Load;
import io.switchboard.signaling.domain.RecordingLoadReporter.Report;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code joinRoom}: a participant becomes a member of a room, opening it when it is the first. */
class JoinsTest extends TwoPods {

  static final String ROOM = "standup";

  @Test
  void joinsAndLeavesAreNumberedByTheStoreStepThatMadeThem() {
    Client alice = podA.join(ROOM, "alice");
    alice.leave();
    podB.join(ROOM, "alice");
    // The numbers come with the changes themselves (the room's counter, in the same step), not
    // from when each pod gets round to sending: a pod that sends its leave late still numbers it
    // below the join that followed it.
    assertThat(cluster.presence.events()).filteredOn(e -> e.type() == PresenceType.PARTICIPANT_JOINED
            || e.type() == PresenceType.PARTICIPANT_LEFT)
        .extracting(PresenceEvent::type, PresenceEvent::source, PresenceEvent::sequence)
        .containsExactly(tuple(PresenceType.PARTICIPANT_JOINED, "pod-a", 1L),
            tuple(PresenceType.PARTICIPANT_LEFT, "pod-a", 2L), tuple(PresenceType.PARTICIPANT_JOINED, "pod-b", 3L));
    assertThat(cluster.store.sequence(ROOM)).isEqualTo(3);
  }

  @Test
  void theFirstJoinOpensTheRoomOnceAndAnswersWithNobodyElseAndAResumeToken() {
    Client alice = podA.join(ROOM, "alice");

    assertThat(alice.channel.sent()).containsExactly(new ServerMessage.ExistingParticipants(List.of()),
        new ServerMessage.Session(alice.token));
    assertThat(alice.token).hasSizeGreaterThan(40);
    assertThat(cluster.placement.placeCalls()).isEqualTo(1);
    RoomStore.RoomRecord room = cluster.store.room(ROOM).orElseThrow();
    assertThat(room.nodeId()).isEqualTo(NODE_0);
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.PIPELINE)).isEqualTo(1);
    assertThat(cluster.kms.children(KMS_0, room.pipelineId())).containsExactly(alice.record(cluster).publisher());
    assertThat(alice.record(cluster).pod()).isEqualTo("pod-a");
    assertThat(alice.record(cluster).session()).isEqualTo(SessionTokens.hash(alice.token));
    assertThat(cluster.store.session(SessionTokens.hash(alice.token)))
        .contains(new RoomStore.SessionRecord(ROOM, "alice", ROOM));
    assertThat(cluster.registry.served("pod-a")).containsExactly(alice.participant.entry());
    assertThat(podA.events.follows(ROOM)).isTrue();
    assertThat(cluster.presence.types()).containsExactly(PresenceType.ROOM_OPENED, PresenceType.PARTICIPANT_JOINED);
    assertThat(cluster.bus.published(ROOM)).containsExactly(
        new RoomEvents.Joined("alice", alice.participant.memberId, "pod-a", true, true));

    podB.join(ROOM, "bob");

    assertThat(cluster.placement.placeCalls()).as("placed once").isEqualTo(1);
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.PIPELINE)).as("one pipeline").isEqualTo(1);
    assertThat(cluster.kms.children(KMS_0, room.pipelineId())).hasSize(2);
  }

  @Test
  void aJoinIntoARoomSomeoneOnItsPodIsInTakesWhereTheRoomsMediaIsFromThemNotFromTheStore() {
    podA.join(ROOM, "alice");
    String pipeline = cluster.store.room(ROOM).orElseThrow().pipelineId();

    int reads = cluster.store.roomReads();
    Client bob = podA.join(ROOM, "bob");
    assertThat(cluster.store.roomReads()).as("pod A knows where the room's media is").isEqualTo(reads);
    assertThat(cluster.kms.children(KMS_0, pipeline)).contains(bob.record(cluster).publisher());

    reads = cluster.store.roomReads();
    Client carol = podB.join(ROOM, "carol");
    assertThat(cluster.store.roomReads()).as("nobody on pod B is in the room").isEqualTo(reads + 1);
    assertThat(cluster.kms.children(KMS_0, pipeline)).contains(carol.record(cluster).publisher());
  }

  /**
   * Pod A's participant still points at a pipeline the room no longer uses (as between a rebuild of
   * the room's media and pod A taking it in): the store refuses the addition, and the join starts
   * over from the room's record, leaving nothing on the old pipeline.
   */
  @Test
  void aJoinWhosePodKnowsTheRoomsMediaOutOfDateJoinsFromTheRoomsRecord() {
    Client alice = podA.join(ROOM, "alice");
    String pipeline = cluster.store.room(ROOM).orElseThrow().pipelineId();
    String stale = cluster.kms.createPipeline(KMS_0);
    synchronized (alice.participant) {
      alice.participant.pipelineId = stale;
    }

    Client bob = podA.join(ROOM, "bob");

    assertThat(cluster.store.members(ROOM)).containsOnlyKeys("alice", "bob");
    assertThat(cluster.kms.children(KMS_0, pipeline)).contains(bob.record(cluster).publisher());
    assertThat(bob.participant.pipelineId).isEqualTo(pipeline);
    assertThat(cluster.kms.children(KMS_0, stale)).as("the endpoint made on the old pipeline, released").isEmpty();
    assertThat(bob.channel.sent()).first().isInstanceOf(ServerMessage.ExistingParticipants.class);
  }

  @Test
  void aJoinerIsIntroducedToTheRoomAndEveryoneAlreadyThereHearsOfItOnce() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podA.join(ROOM, "bob");
    alice.send(new ClientMessage.MediaState(false, true, null));
    cluster.settle();
    Client carol = podB.join(ROOM, "carol");
    cluster.settle();

    assertThat(bob.channel.sent(ServerMessage.ExistingParticipants.class)).containsExactly(
        new ServerMessage.ExistingParticipants(List.of(new ParticipantState("alice", true, true, false))));
    assertThat(carol.channel.last(ServerMessage.ExistingParticipants.class).participants()).containsExactly(
        new ParticipantState("alice", false, true, false), new ParticipantState("bob", true, true, false));
    assertThat(alice.arrivals()).containsExactly("bob", "carol");
    assertThat(bob.arrivals()).containsExactly("carol");
    assertThat(carol.arrivals()).isEmpty();
    assertThat(alice.channel.sent(ServerMessage.NewParticipantArrived.class)).contains(
        new ServerMessage.NewParticipantArrived("carol", true, true));
  }

  @Test
  void aJoinIsOneEndpointAndOneParticipantMoreOnTheRoomsNode() {
    podA.join(ROOM, "alice");

    assertThat(cluster.load.reports()).containsExactly(new Report(ROOM, NODE_0, 1, 1));

    podB.join(ROOM, "bob");

    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(2, 2));
  }

  @Test
  void theCameraEndpointsCandidatesGoToTheJoinersSocket() {
    Client alice = podA.join(ROOM, "alice");
    IceCandidate candidate = new IceCandidate("candidate:1 1 UDP 1 10.0.0.1 4000 typ host", "0", 0);

    assertThat(cluster.kms.emitCandidate(KMS_0, alice.record(cluster).publisher(), candidate)).isEqualTo(1);

    assertThat(alice.channel.last(ServerMessage.IceCandidateFound.class))
        .isEqualTo(new ServerMessage.IceCandidateFound("alice", candidate, Stream.WEBCAM));
  }

  @Test
  void aNameTakenIsRefusedAndLeavesNothingBehind() {
    Client alice = podA.join(ROOM, "alice");
    cluster.presence.clear();
    RecordingChannel impostor = new RecordingChannel();
    RecordingChannel elsewhere = new RecordingChannel();

    refusal(ErrorCode.NAME_TAKEN, () -> podA.join(ROOM, "alice", impostor));
    refusal(ErrorCode.NAME_TAKEN, () -> podB.join(ROOM, "alice", elsewhere));
    cluster.settle();

    assertThat(impostor.sent()).isEmpty();
    assertThat(elsewhere.sent()).isEmpty();
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).as("only alice's camera").isEqualTo(1);
    assertThat(alice.record(cluster).id()).isEqualTo(alice.participant.memberId);
    assertThat(cluster.registry.served("pod-a")).containsExactly(alice.participant.entry());
    assertThat(cluster.registry.served("pod-b")).isEmpty();
    assertThat(podA.localParticipants()).isEqualTo(1);
    assertThat(podB.localParticipants()).isZero();
    assertThat(podB.events.follows(ROOM)).as("pod-b follows no room it has nobody in").isFalse();
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(1, 1));
    assertThat(cluster.presence.events()).isEmpty();
    assertThat(alice.channel.sent()).hasSize(2); // existingParticipants and session, nothing since
  }

  @Test
  void aFullRoomRefusesTheJoinAndKeepsItsMembers() {
    cluster.limits(new RoomLimits(2, true, true, Cluster.LIMITS.recordingUri()));
    Pod small = cluster.pod("pod-small");
    Client alice = small.join(ROOM, "alice");
    small.join(ROOM, "bob");

    refusal(ErrorCode.ROOM_FULL, () -> small.join(ROOM, "carol"));
    cluster.settle();

    assertThat(cluster.store.members(ROOM)).containsOnlyKeys("alice", "bob");
    assertThat(cluster.store.room(ROOM)).isPresent();
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).isEqualTo(2);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(2, 2));
    assertThat(small.localParticipants()).isEqualTo(2);
    assertThat(alice.arrivals()).containsExactly("bob");
  }

  @Test
  void aRoomThatMayHoldNobodyIsClosedAgainByTheJoinThatOpenedIt() {
    cluster.limits(new RoomLimits(0, true, true, Cluster.LIMITS.recordingUri()));
    Pod closed = cluster.pod("pod-closed");

    refusal(ErrorCode.ROOM_FULL, () -> closed.join(ROOM, "alice"));

    assertThat(cluster.store.room(ROOM)).isEmpty();
    assertThat(cluster.kms.liveObjects(KMS_0)).as("no pipeline, no endpoint").isZero();
    assertThat(cluster.placement.released()).containsExactly(ROOM);
    assertThat(cluster.presence.types()).containsExactly(PresenceType.ROOM_OPENED, PresenceType.ROOM_CLOSED);
    assertThat(closed.events.follows(ROOM)).isFalse();
    assertThat(cluster.registry.served("pod-closed")).isEmpty();
    assertThat(cluster.load.reports()).isEmpty();
  }

  @Test
  void aJoinThatFindsTheRoomClosingStartsOver() {
    Client bob = podB.join(ROOM, "bob");
    String firstPipeline = cluster.store.room(ROOM).orElseThrow().pipelineId();
    AtomicInteger adds = new AtomicInteger();
    // Alice's join reads the room; before it becomes a member, bob (the last) leaves and the room closes.
    cluster.onStore("admit", (args, proceed) -> {
      if (args[2].equals("alice") && adds.incrementAndGet() == 1) {
        bob.leave();
      }
      return proceed.call();
    });

    Client alice = podA.join(ROOM, "alice");
    cluster.settle();

    assertThat(adds).hasValue(2);
    RoomStore.RoomRecord reopened = cluster.store.room(ROOM).orElseThrow();
    assertThat(reopened.pipelineId()).isNotEqualTo(firstPipeline);
    assertThat(cluster.kms.exists(KMS_0, firstPipeline)).isFalse();
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.PIPELINE)).isEqualTo(1);
    assertThat(cluster.kms.children(KMS_0, reopened.pipelineId())).containsExactly(alice.record(cluster).publisher());
    assertThat(alice.channel.sent()).containsExactly(new ServerMessage.ExistingParticipants(List.of()),
        new ServerMessage.Session(alice.token));
    assertThat(cluster.placement.placeCalls()).isEqualTo(2);
    assertThat(cluster.placement.released()).containsExactly(ROOM);
    assertThat(cluster.presence.types()).containsSubsequence(PresenceType.ROOM_CLOSED, PresenceType.ROOM_OPENED,
        PresenceType.PARTICIPANT_JOINED);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(1, 1));
    assertThat(cluster.store.members(ROOM)).containsOnlyKeys("alice");
  }

  @Test
  void aJoinGivesUpWhenTheRoomKeepsClosingUnderItAndLeavesNothingBehind() {
    RoomOpener otherPod = new RoomOpener(cluster.store, cluster.placement, cluster.kms, new MediaCleanup(cluster.kms),
        new PresenceNotes(cluster.presence, cluster.clock, "pod-b"), cluster.clock, cluster.clock::advance, "pod-b",
        Cluster.EXPECTED_PARTICIPANTS);
    AtomicInteger adds = new AtomicInteger();
    cluster.onStore("admit", (args, proceed) -> {
      adds.incrementAndGet();
      otherPod.closeIfEmpty(ROOM); // every time, the room's last member left on another pod just now
      return proceed.call();
    });
    RecordingChannel channel = new RecordingChannel();

    refusal(ErrorCode.UNAVAILABLE, () -> podA.join(ROOM, "alice", channel));

    assertThat(adds).hasValue(Joins.ATTEMPTS);
    assertThat(cluster.placement.placeCalls()).isEqualTo(Joins.ATTEMPTS);
    assertThat(cluster.store.room(ROOM)).isEmpty();
    assertThat(cluster.store.members(ROOM)).isEmpty();
    assertThat(cluster.kms.liveObjects(KMS_0)).isZero();
    assertThat(channel.sent()).isEmpty();
    assertThat(cluster.registry.served("pod-a")).isEmpty();
    assertThat(podA.localParticipants()).isZero();
    assertThat(podA.events.follows(ROOM)).isFalse();
    assertThat(cluster.load.reports()).isEmpty();
    assertThat(cluster.bus.published(ROOM)).isEmpty();
  }

  @Test
  void aFailedEndpointCreationClosesTheRoomTheJoinJustOpened() {
    cluster.onMedia("createEndpoint", (args, proceed) -> {
      throw new MediaServer.MediaException("KMS at " + args[0] + " is unreachable", false, null);
    });

    assertThatThrownBy(() -> podA.join(ROOM, "alice")).isInstanceOf(MediaServer.MediaException.class);

    assertThat(cluster.store.room(ROOM)).isEmpty();
    assertThat(cluster.kms.liveObjects(KMS_0)).as("its pipeline released").isZero();
    assertThat(cluster.placement.released()).containsExactly(ROOM);
    assertThat(cluster.presence.types()).containsExactly(PresenceType.ROOM_OPENED, PresenceType.ROOM_CLOSED);
    assertThat(podA.events.follows(ROOM)).isFalse();
    assertThat(cluster.load.reports()).isEmpty();
    assertThat(cluster.registry.served("pod-a")).as("what the join noted alongside, undone").isEmpty();
  }

  @Test
  void aFailedEndpointCreationLeavesAnOpenRoomToItsMembers() {
    Client alice = podA.join(ROOM, "alice");
    cluster.onMedia("createEndpoint", (args, proceed) -> {
      throw new MediaServer.MediaException("KMS at " + args[0] + " is unreachable", false, null);
    });

    assertThatThrownBy(() -> podB.join(ROOM, "bob")).isInstanceOf(MediaServer.MediaException.class);
    cluster.settle();

    assertThat(cluster.store.members(ROOM)).containsOnlyKeys("alice");
    assertThat(cluster.kms.exists(KMS_0, alice.record(cluster).publisher())).isTrue();
    assertThat(cluster.placement.released()).isEmpty();
    assertThat(alice.arrivals()).isEmpty();
  }

  @Test
  void aSocketInARoomCannotJoinAgain() {
    Client alice = podA.join(ROOM, "alice");

    alice.refused(new ClientMessage.JoinRoom("alice2", "retro", "again"), ErrorCode.ALREADY_JOINED);

    assertThat(cluster.store.room("retro")).isEmpty();
    assertThat(alice.participant.roomId).isEqualTo(ROOM);
  }

  @Test
  void aRoomNamedAsPeopleTypeItIsKeptUnderItsIdAndToldByItsName() {
    String typed = "Team Standup #2";
    Client alice = podA.join(typed, "alice");

    String id = RoomIds.of(typed);
    assertThat(id).startsWith("~");
    assertThat(cluster.store.room(id)).isPresent();
    assertThat(cluster.store.members(id)).containsOnlyKeys("alice");
    assertThat(cluster.presence.events(PresenceType.ROOM_OPENED)).extracting(PresenceEvent::roomId,
        PresenceEvent::roomName).containsExactly(tuple(id, typed));
    Client resumed = alice.resumeOn(podA);
    assertThat(resumed.channel.sent(ServerMessage.Resumed.class)).containsExactly(
        new ServerMessage.Resumed("alice", typed));
  }

  @Test
  void aJanitorRoundWhileAJoinersEndpointIsMadeLeavesItsEntryInThePodsIndex() {
    podA.join(ROOM, "alice");
    cluster.kms.beforeNextEndpoint(() -> {
      // Bob's entry is in pod A's index (noted alongside his endpoint), his record not yet in the room.
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
          cluster.registry.served("pod-a").stream().anyMatch(e -> e.name().equals("bob")));
      podA.janitorRound();
    });

    Client bob = podA.join(ROOM, "bob");

    assertThat(cluster.registry.served("pod-a")).as("should pod A die, another pod parks bob")
        .contains(bob.participant.entry());
    assertThat(bob.record(cluster).parkedUntil()).isZero();
  }
}
