package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.Cluster.Pod;
import io.switchboard.signaling.domain.RecordingLoadReporter.Load;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A room's events, from whichever pod, turned into what this pod's participants are told: each
 * client hears of each membership once, whatever order joins, leaves and introductions cross in.
 */
class RoomEventDeliveryTest extends TwoPods {

  static final String ROOM = "standup";

  @Test
  void aJoinerIntroducedToSomeoneWhoseJoinIsStillOnItsWayHearsOfThemOnce() {
    Client carol = podA.join(ROOM, "carol");
    cluster.settle();
    Client alice;
    try (var held = cluster.holdEvents()) {
      podB.join(ROOM, "bob"); // its Joined is on its way to pod A
      alice = podA.join(ROOM, "alice");
      assertThat(alice.channel.last(ServerMessage.ExistingParticipants.class).participants())
          .extracting(ServerMessage.ParticipantState::name).containsExactly("bob", "carol");
    }
    cluster.settle();

    assertThat(alice.arrivals()).isEmpty();
    assertThat(carol.arrivals()).containsExactly("bob", "alice");
  }

  @Test
  void eventsThatComeWhileAJoinerIsBeingAddedAreToldAfterItsIntroductionInTheirOrder() {
    Client carol = podB.join(ROOM, "carol");
    cluster.settle();
    cluster.onStore("admit", (args, proceed) -> {
      Object admission = proceed.call();
      if (args[2].equals("alice")) {
        // Alice is a member now, not introduced yet: bob joins, carol leaves, and pod A delivers
        // both meanwhile (no room lock is held across the addition; with one, this settle would
        // wait for alice's join, and alice's join for it).
        podB.join(ROOM, "bob");
        carol.leave();
        cluster.settle();
      }
      return admission;
    });

    Client alice = podA.join(ROOM, "alice");
    cluster.settle();

    assertThat(alice.channel.sent()).containsExactly(
        new ServerMessage.ExistingParticipants(List.of(new ServerMessage.ParticipantState("carol", true, true, false))),
        new ServerMessage.Session(alice.token),
        new ServerMessage.NewParticipantArrived("bob", true, true),
        new ServerMessage.ParticipantLeft("carol"));
  }

  @Test
  void aSlowKmsReleaseWhileTellingOfADepartureHoldsUpNoJoinInTheRoom() throws Exception {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podB.join(ROOM, "bob");
    cluster.settle();
    bob.publish("offer-bob");
    alice.subscribe("bob", "offer-alice-bob");
    String received = alice.record(cluster).subscriptions().get("bob");
    ExecutorService joiner = Executors.newSingleThreadExecutor();
    AtomicReference<Client> carol = new AtomicReference<>();
    try {
      cluster.onMedia("release", (args, proceed) -> {
        if (args[1].equals(received)) {
          // Pod A lets go of what alice received of bob, on its event thread; meanwhile carol joins there.
          carol.set(joiner.submit(() -> podA.join(ROOM, "carol")).get(5, TimeUnit.SECONDS));
        }
        return proceed.call();
      });

      bob.leave();
      cluster.settle();
    } finally {
      joiner.shutdownNow();
    }

    assertThat(carol.get()).as("carol joined while the release was in flight").isNotNull();
    assertThat(cluster.kms.exists(KMS_0, received)).isFalse();
    assertThat(alice.channel.sent()).contains(new ServerMessage.ParticipantLeft("bob"),
        new ServerMessage.NewParticipantArrived("carol", true, true));
  }

  @Test
  void aRejoinHeardBeforeTheOldMembershipLeftIsALeaveThenAnArrivalOnce() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podB.join(ROOM, "bob");
    alice.subscribe("bob", "alice receives bob");
    String receiving = alice.record(cluster).subscriptions().get("bob");
    podA.beat();
    podB.beat();
    bob.disconnect();
    // Pod B's janitor removes bob (his wait ran out) but is slow to say so: he joins again on pod A
    // between his removal and the Left of his old membership.
    AtomicReference<Client> rejoined = new AtomicReference<>();
    cluster.onStore("removeExpiredMember", (args, proceed) -> {
      Object left = proceed.call();
      rejoined.set(podA.join(ROOM, "bob"));
      return left;
    });
    cluster.elapse(Cluster.RESUME_GRACE.plusSeconds(1), podA, podB);
    cluster.unrig();

    assertThat(rejoined.get()).isNotNull();
    assertThat(cluster.bus.published(ROOM)).filteredOn(e -> e instanceof RoomEvents.Joined
        || e instanceof RoomEvents.Left).extracting(e -> e.getClass().getSimpleName() + " "
            + ((RoomEvents.MemberEvent) e).name()).endsWith("Joined bob", "Left bob");
    assertThat(alice.channel.sent()).filteredOn(m -> m instanceof ServerMessage.ParticipantLeft
        || m instanceof ServerMessage.NewParticipantArrived).containsExactly(
            new ServerMessage.NewParticipantArrived("bob", true, true), new ServerMessage.ParticipantLeft("bob"),
            new ServerMessage.NewParticipantArrived("bob", true, true));
    assertThat(cluster.kms.exists(KMS_0, receiving)).isFalse();
    assertThat(alice.record(cluster).subscriptions()).isEmpty();
    assertThat(rejoined.get().departures()).isEmpty();
    assertThat(cluster.store.members(ROOM)).containsOnlyKeys("alice", "bob");
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(2, 2));
  }

  @Test
  void aLeaveOfAMembershipTheClientNeverKnewIsNotAnnounced() {
    Client alice = podA.join(ROOM, "alice");

    cluster.bus.forPod().publish(ROOM, new RoomEvents.Left("mallory", "m-unknown", "pod-x"));
    cluster.bus.forPod().publish(ROOM, new RoomEvents.Moved("mallory", "m-unknown", "pod-x"));
    cluster.settle();

    assertThat(alice.channel.sent()).hasSize(2); // existingParticipants and session
    assertThat(podA.localParticipants()).isEqualTo(1);
  }

  @Test
  void aRoomsEventsReachOnlyThatRoomsParticipants() {
    Client alice = podA.join(ROOM, "alice");
    Client dave = podA.join("retro", "dave");

    alice.send(new ClientMessage.MediaState(false, false, null));
    podB.join(ROOM, "bob");
    cluster.settle();

    assertThat(dave.channel.sent()).hasSize(2);
    assertThat(alice.arrivals()).containsExactly("bob");
  }

  @Test
  void aPodHearsNothingOfARoomOnceItsLastParticipantThereLeft() {
    Client alice = podA.join(ROOM, "alice");
    Client bob = podB.join(ROOM, "bob");
    cluster.settle(); // alice heard bob arrive
    alice.leave();
    cluster.settle();

    bob.send(new ClientMessage.Chat("anyone?", null, null));
    podB.join(ROOM, "carol");
    cluster.settle();

    assertThat(podA.events.follows(ROOM)).isFalse();
    assertThat(alice.channel.sent(ServerMessage.ChatMessage.class)).isEmpty();
    assertThat(alice.arrivals()).containsExactly("bob");
  }
}
