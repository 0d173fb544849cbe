package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.KMS_0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.Cluster.Pod;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import io.switchboard.signaling.domain.RecordingLoadReporter.Load;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Recording a participant's camera: start, stop, and a failure KMS reports later. */
class RecordingTest extends TwoPods {

  static final String ROOM = "standup";

  Client alice;
  Client bob;

  @BeforeEach
  void join() {
    alice = podA.join(ROOM, "alice");
    bob = podB.join(ROOM, "bob");
    cluster.settle();
  }

  void start(Client who) {
    who.send(new ClientMessage.StartRecording(null));
  }

  String expectedUri(String name) {
    return "file:///recordings/" + expectedId(name);
  }

  /** What clients are told: the file's name, not where it is stored. */
  String expectedId(String name) {
    return ROOM + "-" + name + "-" + cluster.clock.millis() + ".webm";
  }

  @Test
  void aParticipantRecordsItsPublishedCameraAndTheWholeRoomIsTold() {
    alice.publish("alice's camera");
    String uri = expectedUri("alice");
    String id = expectedId("alice");

    start(alice);
    cluster.settle();

    String recorder = alice.record(cluster).recorder();
    assertThat(alice.record(cluster).recordingUri()).isEqualTo(uri);
    assertThat(cluster.kms.recording(KMS_0, recorder)).isTrue();
    assertThat(cluster.kms.recordingUri(KMS_0, recorder)).isEqualTo(uri);
    assertThat(cluster.kms.connects()).containsExactly(
        new FakeMediaServer.Connection(KMS_0, alice.record(cluster).publisher(), recorder));
    assertThat(alice.channel.last(ServerMessage.Recording.class)).isEqualTo(
        new ServerMessage.Recording("alice", true, id));
    assertThat(bob.channel.last(ServerMessage.Recording.class)).isEqualTo(
        new ServerMessage.Recording("alice", true, id));
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(3, 2));
  }

  @Test
  void stoppingCompletesTheFileReleasesTheRecorderAndTellsTheRoom() {
    alice.publish("alice's camera");
    String id = expectedId("alice");
    start(alice);
    String recorder = alice.record(cluster).recorder();

    alice.send(new ClientMessage.StopRecording(null));
    cluster.settle();

    assertThat(cluster.kms.exists(KMS_0, recorder)).isFalse();
    assertThat(alice.record(cluster).recorder()).isNull();
    assertThat(alice.record(cluster).recordingUri()).isNull();
    assertThat(bob.channel.sent(ServerMessage.Recording.class)).containsExactly(
        new ServerMessage.Recording("alice", true, id), new ServerMessage.Recording("alice", false, id));
    assertThat(alice.channel.last(ServerMessage.Recording.class).started()).isFalse();
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(2, 2));
  }

  @Test
  void recordingIsRefusedBeforePublishingTwiceAtOnceAndStoppingWhatIsNotRecorded() {
    alice.refused(new ClientMessage.StartRecording(null), ErrorCode.UNKNOWN_STREAM);
    alice.refused(new ClientMessage.StopRecording(null), ErrorCode.UNKNOWN_STREAM);
    alice.publish("alice's camera");
    start(alice);

    alice.refused(new ClientMessage.StartRecording(null), ErrorCode.NOT_ALLOWED);

    assertThat(cluster.kms.liveObjects(KMS_0, Kind.RECORDER)).isEqualTo(1);
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(3, 2));
  }

  @Test
  void theRecordingsStorageUriNeverReachesAClientOnlyItsFileName() {
    String secretUri = "s3://AKIAEXAMPLE:wJalrXUtnFEMI@bucket.example/rec/{room}-{name}-{time}.webm?X-Amz-Signature=f00";
    Pod s3 = cluster.limits(new RoomLimits(8, true, true, secretUri)).pod("pod-c");
    Client carol = s3.join(ROOM, "carol");
    carol.publish("carol's camera");
    String id = expectedId("carol");

    start(carol);
    cluster.settle();
    assertThat(carol.refused(new ClientMessage.StartRecording(null), ErrorCode.NOT_ALLOWED).getMessage())
        .isEqualTo("already recording (" + id + ")");

    assertThat(cluster.kms.recordingUri(KMS_0, carol.record(cluster).recorder())).startsWith("s3://AKIAEXAMPLE:");
    for (Client c : new Client[] {alice, bob, carol}) {
      assertThat(c.channel.last(ServerMessage.Recording.class)).isEqualTo(new ServerMessage.Recording("carol", true, id));
      assertThat(c.channel.sent().toString()).doesNotContain("wJalrXUtnFEMI").doesNotContain("AKIAEXAMPLE")
          .doesNotContain("X-Amz-Signature");
    }
    assertThat(Recording.withoutLocation("Could not open file \"/rec/x.webm\" for writing",
        "s3://k:s@b.example/rec/x.webm?sig=1")).isEqualTo("Could not open file \"x.webm\" for writing");
    assertThat(Recording.withoutLocation("cannot write s3://k:s@b.example/rec/x.webm?sig=1",
        "s3://k:s@b.example/rec/x.webm?sig=1")).isEqualTo("cannot write x.webm");
    assertThat(Recording.idOf("urn:opaque")).isEqualTo("recording");
    assertThat(Recording.idOf("file:///var/rec/")).isEqualTo("recording");
  }

  @Test
  void aRoomThatAllowsNoRecordingRefusesIt() {
    Pod noRecording = cluster.limits(new RoomLimits(8, true, false, Cluster.LIMITS.recordingUri())).pod("pod-c");
    Client carol = noRecording.join(ROOM, "carol");
    carol.publish("carol's camera");

    carol.refused(new ClientMessage.StartRecording(null), ErrorCode.NOT_ALLOWED);

    assertThat(cluster.kms.liveObjects(KMS_0, Kind.RECORDER)).isZero();
  }

  @Test
  void aRecordingThatFailsEndsWithAnErrorToItsParticipantAndTheRoomIsTold() {
    alice.publish("alice's camera");
    String id = expectedId("alice");
    start(alice);
    String recorder = alice.record(cluster).recorder();

    cluster.kms.failRecording(KMS_0, recorder, "URI_ERROR: unwritable");
    // KMS reports it on its own thread; the pod deals with it on its clean-up thread.
    await().atMost(Duration.ofSeconds(5)).until(() -> cluster.bus.published(ROOM).contains(
        new RoomEvents.RecordingChanged("alice", alice.participant.memberId, "pod-a", false, id)));
    cluster.settle();

    assertThat(alice.channel.sent(ServerMessage.Error.class)).containsExactly(new ServerMessage.Error(
        ErrorCode.UNAVAILABLE.wire(), "recording " + id + " failed: URI_ERROR: unwritable", null));
    assertThat(bob.channel.sent(ServerMessage.Error.class)).isEmpty();
    assertThat(bob.channel.last(ServerMessage.Recording.class)).isEqualTo(
        new ServerMessage.Recording("alice", false, id));
    assertThat(alice.channel.last(ServerMessage.Recording.class)).isEqualTo(
        new ServerMessage.Recording("alice", false, id));
    assertThat(cluster.kms.exists(KMS_0, recorder)).isFalse();
    assertThat(alice.record(cluster).recorder()).isNull();
    assertThat(cluster.load.room(ROOM)).isEqualTo(new Load(2, 2));

    cluster.clock.advance(Duration.ofSeconds(1));
    start(alice);
    assertThat(alice.record(cluster).recorder()).as("it may record again").isNotNull();
  }

  @Test
  void aNameWithSpacesIsPercentEncodedInTheRecordingsUri() {
    Client named = podA.join(ROOM, "Zoë van Dijk");
    named.publish("her camera");

    start(named);

    assertThat(named.record(cluster).recordingUri()).isEqualTo(
        "file:///recordings/" + ROOM + "-Zo%C3%AB%20van%20Dijk-" + cluster.clock.millis() + ".webm");
  }
}
