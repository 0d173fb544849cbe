package io.switchboard.signaling.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.groupcall.protocol.ServerMessage.ParticipantState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** This pod's participants' records: written only while they are this pod's, and introductions. */
class MemberRecordsTest {

  static final String ROOM = "standup";

  final MutableClock clock = new MutableClock();
  final InMemoryRoomStore store = new InMemoryRoomStore(clock);
  final MemberRecords records = new MemberRecords(store, "pod-a");
  Participant alice;

  @BeforeEach
  void aliceIsAMember() {
    store.put(ROOM, new RoomStore.RoomRecord(Cluster.NODE_0, Cluster.KMS_0, "pipeline-1"));
    alice = participant("alice", "m-1");
    assertThat(store.addMember(ROOM, "pipeline-1", "alice", alice.record("pod-a"), 8))
        .isEqualTo(RoomStore.Added.ADDED);
  }

  static Participant participant(String name, String memberId) {
    return new Participant(name, ROOM, ROOM, Cluster.NODE_0, Cluster.KMS_0, memberId, 0, new RecordingChannel(),
        "pipeline-1/webrtc-" + name, "hash-" + name);
  }

  @Test
  void aRecordIsWrittenAsThisPodKnowsIt() {
    synchronized (alice) {
      alice.audio = false;
      alice.subscriptions.put("bob", "pipeline-1/webrtc-9");
      assertThat(records.write(alice)).isTrue();
    }

    RoomStore.MemberRecord stored = store.member(ROOM, "alice").orElseThrow();
    assertThat(stored.audio()).isFalse();
    assertThat(stored.subscriptions()).containsEntry("bob", "pipeline-1/webrtc-9");
  }

  @Test
  void aRecordAnotherPodTookOverIsNotWritten() {
    RoomStore.MemberRecord theirs = alice.record("pod-b");
    store.replaceMember(ROOM, "alice", "pod-a", alice.publisherEndpoint, theirs);

    synchronized (alice) {
      alice.audio = false;
      assertThat(records.write(alice)).isFalse();
    }
    assertThat(records.persist(alice)).isFalse();
    assertThat(store.member(ROOM, "alice")).contains(theirs);
  }

  @Test
  void aRecordWhoseMediaWasRebuiltIsNotOverwrittenWithTheOldPublisher() {
    RoomStore.MemberRecord rebuilt = alice.record("pod-a").rebuiltWith("pipeline-2/webrtc-1");
    store.replaceMember(ROOM, "alice", "pod-a", alice.publisherEndpoint, rebuilt);

    assertThat(records.persist(alice)).isFalse();
    assertThat(store.member(ROOM, "alice")).contains(rebuilt);
  }

  @Test
  void aParticipantThatIsGoneIsNotPersisted() {
    alice.gone = true;
    alice.audio = false;

    assertThat(records.persist(alice)).isFalse();
    records.persistBestEffort(alice);
    assertThat(store.member(ROOM, "alice").orElseThrow().audio()).isTrue();
  }

  @Test
  void aFailedWriteIsLoggedNotThrownByABestEffort() {
    RoomStore down = (RoomStore) java.lang.reflect.Proxy.newProxyInstance(RoomStore.class.getClassLoader(),
        new Class<?>[] {RoomStore.class}, (proxy, method, args) -> {
          throw new IllegalStateException("Redis is unreachable");
        });

    new MemberRecords(down, "pod-a").persistBestEffort(alice);
  }

  @Test
  void anIntroductionListsTheOthersWithTheirStateAndRemembersWhomTheClientWasToldOf() {
    Participant bob = participant("bob", "m-2");
    RoomStore.MemberRecord sharing = bob.record("pod-b");
    sharing = new RoomStore.MemberRecord(sharing.id(), "pod-b", sharing.session(), sharing.publisher(), true,
        sharing.subscriptions(), true, false, 0, 0, false, "pipeline-1/webrtc-screen", null, null);
    store.addMember(ROOM, "pipeline-1", "bob", sharing, 8);

    synchronized (alice) {
      assertThat(records.introduce(alice)).containsExactly(new ParticipantState("bob", true, false, true));
    }
    assertThat(alice.known).containsExactly(java.util.Map.entry("bob", "m-2"));
  }
}
