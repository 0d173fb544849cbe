package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What a pod's death or a failed release leaves behind is closed by the sweeper: a room open with
 * nobody in it, a placement with no room. A room that is only about to be entered is not.
 */
class RoomSweeperTest extends TwoPods {

  /** Long enough for a sweep to start and confirm, whichever pod holds the claim. */
  static final Duration SWEEP = RoomSweeper.INTERVAL.plus(RoomSweeper.CONFIRM_AFTER).plus(RoomSweeper.CONFIRM_AFTER);

  @Test
  void aRoomItsPodDidNotCloseIsClosedWithItsPipelineAndPlacement() {
    Client alice = podA.join("standup", "alice");
    String pipeline = cluster.store.room("standup").orElseThrow().pipelineId();
    // The pod stops between alice's removal and the room's close.
    AtomicBoolean dying = new AtomicBoolean(true);
    cluster.onStore("deleteIfEmpty", (args, proceed) -> {
      if (dying.get()) {
        throw new IllegalStateException("the pod stopped");
      }
      return proceed.call();
    });
    alice.leave();
    dying.set(false);
    assertThat(cluster.store.members("standup")).isEmpty();
    assertThat(cluster.store.room("standup")).as("the ghost").isPresent();
    assertThat(cluster.placement.placement("standup")).isPresent();

    cluster.elapse(SWEEP, podA, podB);

    assertThat(cluster.store.room("standup")).isEmpty();
    assertThat(cluster.kms.exists(KMS_0, pipeline)).isFalse();
    assertThat(cluster.placement.placement("standup")).isEmpty();
    assertThat(cluster.presence.events(PresenceType.ROOM_CLOSED)).extracting(PresenceEvent::roomId)
        .containsExactly("standup");
    assertThat(podA.observer.ghostsSwept() + podB.observer.ghostsSwept()).isEqualTo(1);
  }

  /**
   * Each sweep publishes every open room's snapshot: who is in it, muted or not, connected or
   * waiting for a resume, numbered after every change it holds — what lets the state service's view
   * make good the events of a pod that died.
   */
  @Test
  void eachSweepPublishesEveryOpenRoomsSnapshotNumberedAfterTheChangesItHolds() {
    Client alice = podA.join("standup", "alice");
    Client bob = podB.join("standup", "bob");
    alice.send(new io.switchboard.groupcall.protocol.ClientMessage.MediaState(false, true, null));
    bob.disconnect();
    long lastChange = cluster.store.sequence("standup");

    // (a pod's first sweep starts CONFIRM_AFTER after it starts)
    cluster.elapse(RoomSweeper.CONFIRM_AFTER.plus(Cluster.HEARTBEAT_INTERVAL), podA, podB);
    assertThat(cluster.presence.events(PresenceType.ROOM_SNAPSHOT)).hasSize(1);
    PresenceEvent first = cluster.presence.events(PresenceType.ROOM_SNAPSHOT).get(0);
    assertThat(first.roomId()).isEqualTo("standup");
    assertThat(first.kmsNode()).isEqualTo(Cluster.NODE_0);
    assertThat(first.sequence()).isGreaterThan(lastChange).isEqualTo(cluster.store.sequence("standup"));
    assertThat(first.members()).extracting(PresenceEvent.Member::participant, PresenceEvent.Member::audio,
        PresenceEvent.Member::video, PresenceEvent.Member::connected).containsExactly(
            org.assertj.core.groups.Tuple.tuple("alice", false, true, true),
            org.assertj.core.groups.Tuple.tuple("bob", true, true, false));

    // Bob's wait runs out; the next sweep's snapshot has alice alone, numbered after his leave.
    cluster.elapse(RoomSweeper.INTERVAL.plus(Cluster.HEARTBEAT_INTERVAL), podA, podB);
    List<PresenceEvent> snapshots = cluster.presence.events(PresenceType.ROOM_SNAPSHOT);
    assertThat(snapshots).hasSize(2);
    assertThat(snapshots.get(1).members()).extracting(PresenceEvent.Member::participant).containsExactly("alice");
    long bobLeft = cluster.presence.events(PresenceType.PARTICIPANT_LEFT).get(0).sequence();
    assertThat(snapshots.get(1).sequence()).isGreaterThan(bobLeft);
    assertThat(cluster.store.room("standup")).isPresent();
  }

  @Test
  void aPlacementWithNoRoomIsReleased() {
    cluster.placement.place("orphan", 2); // a room closed, and its placement's release failed
    Client bob = podB.join("live", "bob");

    cluster.elapse(SWEEP, podA, podB);

    assertThat(cluster.placement.placement("orphan")).isEmpty();
    assertThat(cluster.placement.released()).containsExactly("orphan");
    assertThat(cluster.store.members("live")).containsOnlyKeys("bob");
    assertThat(cluster.placement.placement("live")).isPresent();
    assertThat(bob.departures()).isEmpty();
  }

  @Test
  void aRoomThatIsEnteredBetweenTheTwoLooksStays() {
    // Open with nobody in it at the first look (a join opening it, say)...
    String pipeline = cluster.kms.createPipeline(KMS_0);
    cluster.placement.place("filling", 2);
    cluster.store.put("filling", new RoomStore.RoomRecord(Cluster.NODE_0, KMS_0, pipeline));
    // (a pod's first sweep starts CONFIRM_AFTER after it starts, its second look as long after that)
    cluster.elapse(RoomSweeper.CONFIRM_AFTER.plus(Cluster.HEARTBEAT_INTERVAL), podA, podB);
    // ...and entered before the second.
    podA.join("filling", "carol");
    cluster.elapse(SWEEP, podA, podB);

    assertThat(cluster.store.room("filling")).isPresent();
    assertThat(cluster.kms.exists(KMS_0, pipeline)).isTrue();
    assertThat(cluster.placement.placement("filling")).isPresent();
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.PIPELINE)).isEqualTo(1);
    assertThat(podA.observer.ghostsSwept() + podB.observer.ghostsSwept()).isZero();
  }
}
