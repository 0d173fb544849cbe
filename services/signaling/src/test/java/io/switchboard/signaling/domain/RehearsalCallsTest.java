package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The join rehearsal's call service: a pod's own store, registry, KMS and room events, but its
 * rooms are not placed, its members not entered as served, and a closed socket leaves at once.
 */
class RehearsalCallsTest {

  final Cluster cluster = new Cluster();
  final Cluster.Pod pod = cluster.pod("pod-a");
  final GroupCallService rehearsal = RehearsalCalls.create(cluster.store, cluster.registry, pod.media,
      cluster.bus.forPod(), cluster.clock, "pod-a", KMS_0, Cluster.LIMITS);
  final String room = RehearsalCalls.roomName("0123abcd", 0);
  final String roomId = RoomIds.of(room);

  @AfterEach
  void close() {
    rehearsal.closeUnstarted(Duration.ofSeconds(5));
    cluster.close();
  }

  private Participant join(String name, RecordingChannel channel) {
    Participant p = rehearsal.handle(null, channel, new ClientMessage.JoinRoom(name, room, "join-" + name));
    rehearsal.handle(p, channel, new ClientMessage.ReceiveVideoFrom(name, "offer-" + name, Stream.WEBCAM, null));
    return p;
  }

  @Test
  void itsRoomsGoOnTheNamedNodeWithoutPlacementAndItsMembersAreNotEnteredAsServed() {
    RecordingChannel alice = new RecordingChannel();
    join("p0", alice);
    join("p1", new RecordingChannel());

    assertThat(roomId).as("a hashed id, which no safe room name is").startsWith("~");
    assertThat(cluster.store.room(roomId)).hasValueSatisfying(r -> {
      assertThat(r.nodeId()).isEqualTo(RehearsalCalls.NODE);
      assertThat(r.kmsUrl()).isEqualTo(KMS_0);
    });
    assertThat(cluster.placement.placeCalls()).isZero();
    assertThat(cluster.registry.served("pod-a")).isEmpty();
    assertThat(rehearsal.localParticipants()).isEqualTo(2);
    assertThat(pod.service.localParticipants()).as("the pod's own service").isZero();
    assertThat(alice.sent(ServerMessage.ReceiveVideoAnswer.class)).hasSize(1);
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.WEBRTC_ENDPOINT)).isEqualTo(2);
  }

  @Test
  void aMemberWhoseSocketClosesLeavesAtOnceAndTheLastTakesTheRoomAndItsPipelineWithIt() {
    RecordingChannel alice = new RecordingChannel();
    RecordingChannel bob = new RecordingChannel();
    Participant a = join("p0", alice);
    Participant b = join("p1", bob);

    rehearsal.disconnected(a, alice);
    rehearsal.disconnected(b, bob);
    rehearsal.closeUnstarted(Duration.ofSeconds(5)); // its KMS releases done

    assertThat(cluster.store.snapshot(roomId)).isEmpty();
    assertThat(cluster.registry.due(Long.MAX_VALUE, 10)).as("nobody parked").isEmpty();
    assertThat(cluster.kms.liveObjects(KMS_0)).isZero();
    assertThat(RehearsalCalls.removeLeftovers(cluster.store, pod.media, roomId)).as("nothing left").isFalse();
  }

  @Test
  void aRoomStillOpenAfterTheRehearsalIsRemovedWithItsMembersAndPipeline() {
    join("p0", new RecordingChannel());
    join("p1", new RecordingChannel());
    assertThat(cluster.kms.liveObjects(KMS_0, Kind.PIPELINE)).isEqualTo(1);

    assertThat(RehearsalCalls.removeLeftovers(cluster.store, pod.media, roomId)).isTrue();

    assertThat(cluster.store.snapshot(roomId)).isEmpty();
    assertThat(cluster.store.members(roomId)).isEmpty();
    assertThat(cluster.kms.liveObjects(KMS_0)).as("the pipeline and its endpoints").isZero();
    assertThat(RehearsalCalls.removeLeftovers(cluster.store, pod.media, roomId)).isFalse();
    assertThat(List.of(RehearsalCalls.roomName("r", 1), RehearsalCalls.roomName("r", 2)))
        .as("another run's rooms, other ids").extracting(RoomIds::of).doesNotContain(roomId).doesNotHaveDuplicates();
  }
}
