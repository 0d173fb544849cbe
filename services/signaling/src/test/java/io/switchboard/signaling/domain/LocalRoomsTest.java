package io.switchboard.signaling.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** This pod's participants room by room, and the rooms it follows: exactly those with a participant here. */
class LocalRoomsTest {

  final RoomEventBus bus = new RoomEventBus();
  final InMemoryRoomEvents events = bus.forPod();
  final AtomicBoolean followFails = new AtomicBoolean();
  final List<String> heard = new CopyOnWriteArrayList<>();
  final LocalRooms local = new LocalRooms(new RoomEvents() {
    @Override
    public void follow(String roomId, Consumer<RoomEvent> listener) {
      if (followFails.get()) {
        throw new IllegalStateException("Redis is unreachable");
      }
      events.follow(roomId, listener);
    }

    @Override
    public void unfollow(String roomId) {
      events.unfollow(roomId);
    }

    @Override
    public void publish(String roomId, RoomEvent event) {
      events.publish(roomId, event);
    }
  }, (roomId, event) -> heard.add(roomId + ": " + ((RoomEvents.MemberEvent) event).name()));

  @AfterEach
  void close() {
    bus.settle();
    assertThat(bus.failures()).isEmpty();
    bus.close();
  }

  static Participant participant(String room, String name, String memberId) {
    return new Participant(name, room, room, Cluster.NODE_0, Cluster.KMS_0, memberId, 0, new RecordingChannel(),
        "pipeline-1/webrtc-" + name, "hash-" + memberId);
  }

  @Test
  void theFirstParticipantHereFollowsTheRoomAndTheLastUnfollowsIt() {
    Participant alice = participant("r", "alice", "m-1");
    Participant bob = participant("r", "bob", "m-2");

    assertThat(local.followForNewcomer("r")).isTrue();
    local.add(alice);
    assertThat(local.followForNewcomer("r")).as("followed already").isFalse();
    local.add(bob);
    assertThat(events.follows("r")).isTrue();
    local.remove(alice);
    assertThat(events.follows("r")).isTrue();
    local.remove(bob);

    assertThat(events.follows("r")).isFalse();
    assertThat(local.roomIds()).isEmpty();
    assertThat(local.roomCount()).isZero();
  }

  @Test
  void theEventsOfAFollowedRoomReachTheListenerWithTheRoomsId() {
    local.followForNewcomer("r");
    local.add(participant("r", "alice", "m-1"));
    InMemoryRoomEvents otherPod = bus.forPod();

    otherPod.publish("r", new RoomEvents.Left("bob", "m-2", "pod-b"));
    otherPod.publish("s", new RoomEvents.Left("carol", "m-3", "pod-b"));
    bus.settle();

    assertThat(heard).containsExactly("r: bob");
  }

  @Test
  void aNewcomerWhoDoesNotComeIsUndoneButARoomWithSomeoneStays() {
    assertThat(local.followForNewcomer("r")).isTrue();
    local.unfollowIfEmpty("r");
    assertThat(events.follows("r")).isFalse();
    assertThat(local.roomIds()).isEmpty();

    local.followForNewcomer("s");
    local.add(participant("s", "alice", "m-1"));
    local.unfollowIfEmpty("s");
    assertThat(events.follows("s")).isTrue();
    assertThat(local.in("s")).hasSize(1);
  }

  @Test
  void aFollowThatFailsLeavesNoTraceSoTheNextNewcomerFollows() {
    followFails.set(true);
    assertThatThrownBy(() -> local.followForNewcomer("r")).isInstanceOf(IllegalStateException.class);
    assertThat(local.roomIds()).isEmpty();

    followFails.set(false);
    assertThat(local.followForNewcomer("r")).isTrue();
    assertThat(events.follows("r")).isTrue();
  }

  @Test
  void aParticipantReplacedUnderItsNameStaysWhenTheOneItReplacedIsRemoved() {
    Participant before = participant("r", "alice", "m-1");
    Participant after = participant("r", "alice", "m-1");
    local.followForNewcomer("r");
    local.add(before);

    assertThat(local.add(after)).isSameAs(before);
    local.remove(before);

    assertThat(local.get("r", "alice")).isSameAs(after);
    assertThat(events.follows("r")).isTrue();
    assertThat(local.participantCount()).isEqualTo(1);
  }

  @Test
  void participantsThatAreGoneAreNotFoundByAQuestion() {
    Participant alice = participant("r", "alice", "m-1");
    Participant bob = participant("s", "bob", "m-2");
    local.add(alice);
    local.add(bob);
    bob.gone = true;

    assertThat(local.where(p -> true)).containsExactly(alice);
    assertThat(local.where(p -> p.name.equals("carol"))).isEmpty();
    assertThat(local.roomCount()).isEqualTo(2);
    assertThat(local.participantCount()).isEqualTo(2);
    assertThat(local.get("s", "bob")).isSameAs(bob);
    assertThat(local.in("nowhere")).isEmpty();
  }
}
