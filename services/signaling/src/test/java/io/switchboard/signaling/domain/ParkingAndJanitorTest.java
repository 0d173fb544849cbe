package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.HEARTBEAT_TIMEOUT;
import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static io.switchboard.signaling.domain.Cluster.RESUME_GRACE;
import static io.switchboard.signaling.domain.Cluster.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.Cluster.Pod;
import io.switchboard.signaling.domain.RecordingLoadReporter.Load;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Participants waiting for a resume: parked when their socket closes or their pod dies, resumed or
 * removed by a janitor once their wait ran out; and pods that beat, die, restart and come back.
 */
class ParkingAndJanitorTest extends TwoPods {

  static final String ROOM = "standup";

  long now() {
    return cluster.clock.millis();
  }

  @Test
  void aClosedSocketParksTheParticipantWithADeadlineAndTheRoomNoticesNothing() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podA.join(ROOM, "bob");
    String publisher = alice.record(cluster).publisher();
    cluster.settle();

    alice.disconnect();
    cluster.settle();

    long deadline = now() + RESUME_GRACE.toMillis();
    assertThat(alice.record(cluster).parkedUntil()).isEqualTo(deadline);
    assertThat(cluster.registry.parkedUntil(alice.participant.entry())).isEqualTo(deadline);
    assertThat(alice.participant.detached).isTrue();
    assertThat(cluster.presence.events(PresenceType.PARTICIPANT_DISCONNECTED)).extracting(PresenceEvent::participant,
        PresenceEvent::reason).containsExactly(tuple("alice", "socket-closed"));
    assertThat(cluster.kms.exists(KMS_0, publisher)).isTrue();
    assertThat(bob.channel.sent()).hasSize(2); // existingParticipants and session: nothing since
    assertThat(podA.localParticipants()).isEqualTo(2);

    alice.disconnect(); // told twice (the socket handler may): parked once
    assertThat(cluster.presence.events(PresenceType.PARTICIPANT_DISCONNECTED)).hasSize(1);
  }

  @Test
  void aResumeBeforeTheDeadlineUnparksTheParticipantForGood() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podA.join(ROOM, "bob");
    podA.beat();
    alice.disconnect();
    cluster.elapse(RESUME_GRACE.minusSeconds(1), podA);

    Client resumed = alice.resumeOn(podA);
    cluster.elapse(RESUME_GRACE.plusSeconds(5), podA);

    assertThat(alice.record(cluster).parkedUntil()).isZero();
    assertThat(cluster.registry.parkedUntil(alice.participant.entry())).isNull();
    assertThat(resumed.channel.sent(ServerMessage.Resumed.class)).hasSize(1);
    assertThat(alice.channel.closed()).as("nothing to replace: it was closed").isFalse();
    assertThat(cluster.store.members(ROOM)).containsOnlyKeys("alice", "bob");
    assertThat(bob.departures()).isEmpty();
    assertThat(podA.observer.expiries()).isZero();
  }

  @Test
  void afterTheDeadlineAJanitorRoundRemovesTheParticipant() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podA.join(ROOM, "bob");
    alice.publish("alice's offer");
    alice.subscribe("bob", "alice receives bob");
    RoomStore.MemberRecord record = alice.record(cluster);
    podA.beat();
    alice.disconnect();

    cluster.elapse(RESUME_GRACE.minusSeconds(1), podA);
    assertThat(cluster.store.member(ROOM, "alice")).as("still waiting").isPresent();
    cluster.elapse(Duration.ofSeconds(1), podA);

    assertThat(cluster.store.member(ROOM, "alice")).isEmpty();
    record.endpoints().forEach(e -> assertThat(cluster.kms.exists(KMS_0, e)).as(e).isFalse());
    assertThat(cluster.bus.published(ROOM)).last().isEqualTo(new RoomEvents.Left("alice", record.id(), "pod-a"));
    assertThat(bob.departures()).containsExactly("alice");
    assertThat(podA.observer.expiries()).isEqualTo(1);
    assertThat(cluster.presence.events(PresenceType.PARTICIPANT_LEFT)).extracting(PresenceEvent::reason)
        .containsExactly("expired");
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(1, 1));
    assertThat(cluster.registry.parkedUntil(alice.participant.entry())).isNull();
    assertThat(cluster.registry.served("pod-a")).containsExactly(bob.participant.entry());
    assertThat(podA.localParticipants()).isEqualTo(1);
    assertThat(alice.participant.gone).isTrue();
    refusal(ErrorCode.INVALID_TOKEN, () -> alice.resumeOn(podA));
  }

  @Test
  void theLastParticipantWhoDoesNotResumeClosesTheRoom() {
    Client alice = podA.join(ROOM, "alice");
    podA.beat();
    alice.disconnect();

    cluster.elapse(RESUME_GRACE.plusSeconds(1), podA);

    assertThat(cluster.store.room(ROOM)).isEmpty();
    assertThat(cluster.kms.liveObjects(KMS_0)).isZero();
    assertThat(cluster.placement.released()).containsExactly(ROOM);
    assertThat(cluster.presence.types()).endsWith(PresenceType.PARTICIPANT_LEFT, PresenceType.ROOM_CLOSED);
    assertThat(podA.service.localRooms()).isZero();
    assertThat(podA.events.follows(ROOM)).isFalse();
  }

  @Test
  void withNoResumeGraceAParticipantWhoseSocketClosesLeavesAtOnce() {
    Pod impatient = cluster.resumeGrace(Duration.ZERO).pod("pod-impatient");
    Client alice = impatient.join(ROOM, "alice");
    Client bob = impatient.join(ROOM, "bob");

    alice.disconnect();
    cluster.settle();

    assertThat(cluster.store.member(ROOM, "alice")).isEmpty();
    assertThat(bob.departures()).containsExactly("alice");
    assertThat(cluster.presence.types()).doesNotContain(PresenceType.PARTICIPANT_DISCONNECTED);
    assertThat(cluster.presence.events(PresenceType.PARTICIPANT_LEFT)).extracting(PresenceEvent::reason)
        .containsExactly("left");
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(1, 1));
    assertThat(impatient.localParticipants()).isEqualTo(1);
  }

  @Test
  void aWaitTheStoreCouldNotRecordIsRecordedByTheNextJanitorRound() {
    Client alice = podA.join(ROOM, "alice");
    podA.beat();
    AtomicBoolean storeDown = new AtomicBoolean(true);
    cluster.onStore("replaceMember", (args, proceed) -> {
      if (storeDown.get()) {
        throw new IllegalStateException("Redis is unreachable");
      }
      return proceed.call();
    });

    alice.disconnect();
    assertThat(alice.record(cluster).parkedUntil()).as("not recorded yet").isZero();
    long deadline = alice.participant.parkedUntil;
    storeDown.set(false);
    podA.janitorRound();

    assertThat(alice.record(cluster).parkedUntil()).isEqualTo(deadline);
    assertThat(cluster.registry.parkedUntil(alice.participant.entry())).isEqualTo(deadline);
    cluster.elapse(RESUME_GRACE.plusSeconds(1), podA);
    assertThat(cluster.store.member(ROOM, "alice")).as("removed in time all the same").isEmpty();
  }

  @Test
  void aPodWhoseHeartbeatLapsedHasItsMembersParkedByAnotherPodAndRemovedAfterTheGrace() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podB.join(ROOM, "bob");
    String publisher = alice.record(cluster).publisher();
    podA.beat();
    podB.beat();
    podA.crash();

    cluster.elapse(HEARTBEAT_TIMEOUT, podB);
    assertThat(alice.record(cluster).parkedUntil()).as("alive through its last millisecond").isZero();
    cluster.elapse(Duration.ofSeconds(1), podB);

    long deadline = now() + RESUME_GRACE.toMillis();
    assertThat(alice.record(cluster).parkedUntil()).isEqualTo(deadline);
    assertThat(alice.record(cluster).pod()).as("still pod-a's until it resumes").isEqualTo("pod-a");
    assertThat(cluster.registry.parkedUntil(alice.participant.entry())).isEqualTo(deadline);
    assertThat(cluster.presence.events(PresenceType.PARTICIPANT_DISCONNECTED)).extracting(PresenceEvent::participant,
        PresenceEvent::reason, PresenceEvent::source).containsExactly(tuple("alice", "pod-died", "pod-b"));
    assertThat(podB.observer.adoptedPods()).isEqualTo(1);
    assertThat(podB.observer.adoptedMembers()).isEqualTo(1);
    assertThat(cluster.registry.pods()).containsExactly("pod-b");
    assertThat(bob.departures()).isEmpty();

    cluster.elapse(RESUME_GRACE, podB);

    assertThat(cluster.store.member(ROOM, "alice")).isEmpty();
    assertThat(cluster.kms.exists(KMS_0, publisher)).isFalse();
    assertThat(bob.departures()).containsExactly("alice");
    assertThat(podB.observer.expiries()).isEqualTo(1);
    assertThat(podB.observer.adoptedPods()).as("adopted once").isEqualTo(1);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(1, 1));
  }

  @Test
  void aDeadPodsMemberTheStoreCouldNotParkIsNotForgottenButParkedByALaterRound() {
    Client alice = podA.join(ROOM, "alice");
    Client carol = podA.join(ROOM, "carol");
    Client bob = podB.join(ROOM, "bob");
    podA.beat();
    podB.beat();
    podA.crash();
    // A Redis blip during the survivor's round: carol's record cannot be written.
    AtomicBoolean blip = new AtomicBoolean(true);
    cluster.onStore("replaceMember", (args, proceed) -> {
      if (blip.get() && "carol".equals(args[1])) {
        throw new IllegalStateException("Redis is unreachable");
      }
      return proceed.call();
    });

    cluster.elapse(HEARTBEAT_TIMEOUT.plusSeconds(1), podB);
    assertThat(alice.record(cluster).parkedUntil()).isPositive();
    assertThat(carol.record(cluster).parkedUntil()).as("not parked").isZero();
    assertThat(cluster.registry.pods()).as("not forgotten while carol is not seen to").contains("pod-a");
    assertThat(cluster.registry.served("pod-a")).extracting(PodRegistry.Entry::name).containsExactly("carol");

    blip.set(false);
    cluster.elapse(PodJanitor.CLAIM_TTL.plusSeconds(1), podB);
    assertThat(cluster.registry.pods()).containsExactly("pod-b");
    // Carol waited for a resume too, and, like alice, did not come back: both are gone, the room
    // holds bob alone, and no endpoint of theirs is left.
    cluster.elapse(RESUME_GRACE.plusSeconds(1), podB);
    assertThat(cluster.store.members(ROOM)).containsOnlyKeys("bob");
    assertThat(bob.departures()).containsExactlyInAnyOrder("alice", "carol");
    assertThat(cluster.kms.liveObjects(KMS_0, FakeMediaServer.Kind.WEBRTC_ENDPOINT)).isEqualTo(1);
  }

  @Test
  void aParticipantOfADeadPodResumesOnAnotherWithinTheGrace() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podB.join(ROOM, "bob");
    podA.beat();
    podB.beat();
    podA.crash();
    cluster.elapse(HEARTBEAT_TIMEOUT.plusSeconds(1), podB);

    Client resumed = alice.resumeOn(podB);
    cluster.elapse(RESUME_GRACE.plusSeconds(1), podB);

    assertThat(alice.record(cluster).pod()).isEqualTo("pod-b");
    assertThat(alice.record(cluster).parkedUntil()).isZero();
    assertThat(cluster.registry.parkedUntil(alice.participant.entry())).isNull();
    assertThat(resumed.channel.last(ServerMessage.ExistingParticipants.class).participants()).hasSize(1);
    assertThat(bob.departures()).isEmpty();
    assertThat(podB.observer.expiries()).isZero();
    assertThat(podB.observer.resumedFromElsewhere()).isEqualTo(1);
  }

  @Test
  void aParkedParticipantIsRemovedByItsOwnPodNotByAnotherWhileItsPodLives() {
    Client alice = podA.join(ROOM, "alice");
    podB.join(ROOM, "bob");
    alice.disconnect();
    for (int s = 0; s <= RESUME_GRACE.toSeconds(); s++) {
      cluster.clock.advance(Duration.ofSeconds(1));
      podA.beat(); // alive, but its janitor is slow
      podB.beat();
      podB.janitorRound();
      cluster.settle();
    }
    assertThat(cluster.store.member(ROOM, "alice")).isPresent();

    podA.janitorRound();
    cluster.settle();

    assertThat(cluster.store.member(ROOM, "alice")).isEmpty();
    assertThat(podA.observer.expiries()).isEqualTo(1);
    assertThat(podB.observer.expiries()).isZero();
  }

  @Test
  void aPodsFirstBeatParksTheMembersOfItsEarlierRun() {
    Client alice = podA.join(ROOM, "alice");
    podA.beat();
    podA.crash();
    cluster.clock.advance(Duration.ofSeconds(1)); // restarted at once, before anyone saw it die

    Pod restarted = cluster.pod("pod-a");
    restarted.beat();

    long deadline = now() + RESUME_GRACE.toMillis();
    assertThat(alice.record(cluster).parkedUntil()).isEqualTo(deadline);
    assertThat(cluster.registry.parkedUntil(alice.participant.entry())).isEqualTo(deadline);
    assertThat(cluster.presence.events(PresenceType.PARTICIPANT_DISCONNECTED)).extracting(PresenceEvent::reason)
        .containsExactly("pod-restarted");
    assertThat(restarted.observer.adoptedPods()).isEqualTo(1);
    assertThat(restarted.observer.adoptedMembers()).isEqualTo(1);

    Client resumed = alice.resumeOn(restarted);
    cluster.elapse(RESUME_GRACE.plusSeconds(1), restarted);

    assertThat(alice.record(cluster).pod()).isEqualTo("pod-a");
    assertThat(alice.record(cluster).parkedUntil()).isZero();
    assertThat(resumed.participant.channel).isSameAs(resumed.channel);
    assertThat(resumed.participant.gone).isFalse();
    assertThat(restarted.localParticipants()).isEqualTo(1);
    assertThat(restarted.observer.resumedFromElsewhere()).as("a takeover of its own record").isEqualTo(1);
  }

  @Test
  void theMembersOfAnEarlierRunThatDoNotResumeAreRemovedByTheRestartedPod() {
    Client alice = podA.join(ROOM, "alice");
    podA.beat();
    podA.crash();
    Pod restarted = cluster.pod("pod-a");

    cluster.elapse(RESUME_GRACE.plusSeconds(1), restarted);

    assertThat(cluster.store.member(ROOM, "alice")).isEmpty();
    assertThat(cluster.store.room(ROOM)).isEmpty();
    assertThat(restarted.observer.expiries()).isEqualTo(1);
    refusal(ErrorCode.INVALID_TOKEN, () -> alice.resumeOn(restarted));
  }

  @Test
  void aPodWhoseBeatLapsedReclaimsItsConnectedParticipantsWhenItBeatsAgain() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podB.join(ROOM, "bob");
    podA.beat();
    podB.beat();
    // Pod A pauses (a long GC, Redis away): pod B takes it for dead and parks alice, whose socket is open.
    cluster.elapse(HEARTBEAT_TIMEOUT.plusSeconds(1), podB);
    assertThat(alice.record(cluster).parkedUntil()).isPositive();

    podA.beat();

    assertThat(alice.record(cluster).parkedUntil()).isZero();
    assertThat(cluster.registry.parkedUntil(alice.participant.entry())).isNull();
    assertThat(cluster.registry.served("pod-a")).containsExactly(alice.participant.entry());
    assertThat(cluster.presence.events(PresenceType.PARTICIPANT_RESUMED)).extracting(PresenceEvent::participant,
        PresenceEvent::reason).containsExactly(tuple("alice", "reclaimed"));
    cluster.elapse(RESUME_GRACE.plusSeconds(1), podA, podB);
    assertThat(cluster.store.members(ROOM)).containsOnlyKeys("alice", "bob");
    assertThat(alice.channel.closed()).isFalse();
    assertThat(bob.departures()).isEmpty();
    alice.send(new ClientMessage.Chat("still here", null, null));
    cluster.settle();
    assertThat(bob.channel.last(ServerMessage.ChatMessage.class).text()).isEqualTo("still here");
  }

  @Test
  void aParticipantParkedWhileItsPodLookedDeadIsReclaimedByItsJanitorEvenWithoutABeat() {
    Client alice = podA.join(ROOM, "alice");
    podA.beat();
    podB.beat();
    cluster.elapse(HEARTBEAT_TIMEOUT.plusSeconds(1), podB);
    assertThat(alice.record(cluster).parkedUntil()).isPositive();

    // Pod A's janitor runs at the deadline (its heartbeat thread is the one stuck).
    cluster.clock.advance(RESUME_GRACE);
    podA.janitorRound();
    cluster.settle();

    assertThat(cluster.store.member(ROOM, "alice")).isPresent();
    assertThat(alice.record(cluster).parkedUntil()).isZero();
    assertThat(alice.channel.closed()).isFalse();
  }
}
