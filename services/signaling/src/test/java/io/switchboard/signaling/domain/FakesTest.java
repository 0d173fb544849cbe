package io.switchboard.signaling.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.groupcall.protocol.Grant;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import io.switchboard.signaling.domain.MediaServer.MediaException;
import io.switchboard.signaling.domain.PodRegistry.Entry;
import io.switchboard.signaling.domain.RoomEvents.RoomEvent;
import io.switchboard.signaling.domain.RoomStore.Added;
import io.switchboard.signaling.domain.RoomStore.MemberRecord;
import io.switchboard.signaling.domain.RoomStore.RoomRecord;
import io.switchboard.signaling.domain.RoomStore.SessionRecord;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The in-memory fakes of the domain's ports keep the semantics of the adapters they stand in for. */
class FakesTest {

  static final String KMS = "ws://kms-0/kurento";

  final MutableClock clock = new MutableClock();

  @Test
  void theClockMovesOnlyWhenTold() {
    long start = clock.millis();
    assertThat(clock.millis()).isEqualTo(start);
    clock.advance(Duration.ofSeconds(2));
    assertThat(clock.millis()).isEqualTo(start + 2_000);
    assertThat(clock.withZone(ZoneId.of("Europe/Paris")).millis()).isEqualTo(start + 2_000);
    clock.set(MutableClock.START);
    assertThat(clock.instant()).isEqualTo(MutableClock.START);
  }

  @Nested
  class RoomStoreFake {

    static final RoomRecord ROOM = new RoomRecord("kms-0", KMS, "pipe-1");

    final InMemoryRoomStore store = new InMemoryRoomStore(clock);

    /** As an opener does: under the room's lock. */
    void save(String roomId, RoomRecord room) {
      assertThat(store.lockRoom(roomId, "opener")).isTrue();
      assertThat(store.saveRoom(roomId, "opener", room)).isTrue();
      store.unlockRoom(roomId, "opener");
    }

    @Test
    void onlyTheHolderOfTheRoomsLockSavesIt() {
      assertThat(store.saveRoom("r", "late", ROOM)).as("no lock").isFalse();
      assertThat(store.lockRoom("r", "late")).isTrue();
      clock.advance(InMemoryRoomStore.LOCK_TTL.plusMillis(1));
      assertThat(store.lockRoom("r", "next")).isTrue();
      assertThat(store.saveRoom("r", "late", ROOM)).as("lapsed, taken by another").isFalse();
      assertThat(store.room("r")).isEmpty();
      RoomRecord theirs = new RoomRecord("kms-1", "ws://kms-1/kurento", "pipe-9");
      assertThat(store.saveRoom("r", "next", theirs)).isTrue();
      assertThat(store.saveRoom("r", "late", ROOM)).isFalse();
      assertThat(store.room("r")).contains(theirs);
    }

    static MemberRecord member(long joinedAt) {
      return new MemberRecord("m-" + joinedAt, "pod-a", "session-" + joinedAt, "endpoint-" + joinedAt, false,
          Map.of(), true, true, joinedAt, 0, false, null, null, null);
    }

    @Test
    void aMemberIsAddedOnlyToTheOpenRoomOnItsPipelineOnceByNameAndWithinTheLimit() {
      assertThat(store.addMember("r", "pipe-1", "alice", member(1), 10)).as("no room").isEqualTo(Added.ROOM_GONE);
      save("r", ROOM);

      assertThat(store.addMember("r", "pipe-1", "alice", member(1), 10)).isEqualTo(Added.ADDED);
      assertThat(store.addMember("r", "pipe-1", "alice", member(2), 10)).isEqualTo(Added.NAME_TAKEN);
      assertThat(store.addMember("r", "pipe-0", "bob", member(3), 10)).as("old pipeline").isEqualTo(Added.ROOM_GONE);
      assertThat(store.addMember("r", "pipe-1", "bob", member(3), 2)).isEqualTo(Added.ADDED);
      assertThat(store.addMember("r", "pipe-1", "carol", member(4), 2)).isEqualTo(Added.ROOM_FULL);
      assertThat(store.addMember("r", "pipe-1", "bob", member(4), 2)).as("name first").isEqualTo(Added.NAME_TAKEN);

      assertThat(store.members("r")).containsOnlyKeys("alice", "bob");
      assertThat(store.member("r", "alice")).contains(member(1));
    }

    @Test
    void membersComeInJoinOrderThenByName() {
      save("r", ROOM);
      store.addMember("r", "pipe-1", "zoe", member(1), 10);
      store.addMember("r", "pipe-1", "carol", member(3), 10);
      store.addMember("r", "pipe-1", "bob", member(2), 10);
      store.addMember("r", "pipe-1", "alice", member(3), 10);

      assertThat(store.members("r").keySet()).containsExactly("zoe", "bob", "alice", "carol");
    }

    @Test
    void onlyTheSameMembershipOnTheExpectedPodAndPublisherIsReplacedOrRemoved() {
      save("r", ROOM);
      store.addMember("r", "pipe-1", "alice", member(1), 10);
      store.addMember("r", "pipe-1", "bob", member(2), 10);
      MemberRecord onB = member(1).withPod("pod-b");

      assertThat(store.replaceMember("r", "alice", "pod-b", "endpoint-1", onB)).as("wrong pod").isFalse();
      assertThat(store.replaceMember("r", "alice", "pod-a", "endpoint-9", onB)).as("wrong publisher").isFalse();
      assertThat(store.replaceMember("r", "alice", "pod-a", "endpoint-1", member(0))).as("other membership").isFalse();
      assertThat(store.replaceMember("r", "nobody", "pod-a", "endpoint-1", onB)).as("no member").isFalse();
      assertThat(store.replaceMember("r", "alice", "pod-a", "endpoint-1", onB)).isTrue();
      assertThat(store.member("r", "alice")).contains(onB);

      assertThat(store.removeMember("r", "alice", "m-1", "pod-a").left()).as("taken over").isEqualTo(-1);
      assertThat(store.removeMember("r", "alice", "m-0", "pod-b").left()).as("other membership").isEqualTo(-1);
      assertThat(store.removeMember("r", "alice", "m-1", "pod-b").left()).as("one left").isEqualTo(1);
      assertThat(store.removeMember("r", "alice", "m-1", "pod-b").left()).as("once").isEqualTo(-1);
      assertThat(store.removeMember("r", "bob", "m-2", "pod-a").left()).isZero();
    }

    @Test
    void onlyAParkedMemberWhoseWaitRanOutExpires() {
      save("r", ROOM);
      store.addMember("r", "pipe-1", "alice", member(1), 10);
      store.addMember("r", "pipe-1", "bob", member(2), 10);

      assertThat(store.removeExpiredMember("r", "alice", "m-1", 1_000).left()).as("connected").isEqualTo(-1);
      store.replaceMember("r", "alice", "pod-a", "endpoint-1", member(1).parked(2_000));
      assertThat(store.removeExpiredMember("r", "alice", "m-1", 1_999).left()).as("still waiting").isEqualTo(-1);
      assertThat(store.removeExpiredMember("r", "alice", "m-0", 2_000).left()).as("another membership").isEqualTo(-1);
      assertThat(store.removeExpiredMember("r", "alice", "m-1", 2_000).left()).isEqualTo(1);
      assertThat(store.removeExpiredMember("r", "alice", "m-1", 2_000).left()).as("once").isEqualTo(-1);
      assertThat(store.members("r")).containsOnlyKeys("bob");
    }

    @Test
    void theRoomLockIsTheOwnersUntilItUnlocksOrTheLockLapses() {
      assertThat(store.lockRoom("r", "pod-a/1")).isTrue();
      assertThat(store.lockRoom("r", "pod-b/1")).isFalse();
      store.unlockRoom("r", "pod-b/1");
      assertThat(store.lockOwner("r")).contains("pod-a/1");
      store.unlockRoom("r", "pod-a/1");
      assertThat(store.lockRoom("r", "pod-b/1")).isTrue();

      clock.advance(InMemoryRoomStore.LOCK_TTL);
      assertThat(store.lockRoom("r", "pod-c/1")).as("held through its last millisecond").isFalse();
      clock.advanceMillis(1);
      assertThat(store.lockRoom("r", "pod-c/1")).isTrue();
      store.unlockRoom("r", "pod-b/1");
      assertThat(store.lockOwner("r")).contains("pod-c/1");
    }

    @Test
    void onePresenterAtATimeInAnExistingRoom() {
      assertThat(store.claimPresenter("r", "m-1 alice")).as("no room").isFalse();
      save("r", ROOM);

      assertThat(store.claimPresenter("r", "m-1 alice")).isTrue();
      assertThat(store.claimPresenter("r", "m-1 alice")).as("again").isTrue();
      assertThat(store.claimPresenter("r", "m-2 bob")).isFalse();
      assertThat(store.releasePresenter("r", "m-2 bob")).isFalse();
      save("r", new RoomRecord("kms-1", "ws://kms-1/kurento", "pipe-2"));
      assertThat(store.presenter("r")).as("a rebuild keeps the presenter").contains("m-1 alice");
      assertThat(store.releasePresenter("r", "m-1 alice")).isTrue();
      assertThat(store.presenter("r")).isEmpty();
      assertThat(store.claimPresenter("r", "m-2 bob")).isTrue();
    }

    @Test
    void onlyAnEmptyExistingRoomIsDeletedWithItsPresenter() {
      assertThat(store.deleteIfEmpty("r")).as("no room").isFalse();
      save("r", ROOM);
      store.addMember("r", "pipe-1", "alice", member(1), 10);
      store.claimPresenter("r", "m-1 alice");

      assertThat(store.deleteIfEmpty("r")).isFalse();
      store.removeMember("r", "alice", "m-1", "pod-a");
      assertThat(store.deleteIfEmpty("r")).isTrue();

      assertThat(store.room("r")).isEmpty();
      assertThat(store.presenter("r")).isEmpty();
      save("r", ROOM);
      assertThat(store.presenter("r")).isEmpty();
    }

    @Test
    void sessionsLastTheirTtl() {
      SessionRecord alice = new SessionRecord("r", "alice", "R");
      store.saveSession("h1", alice, Duration.ofMinutes(1));
      store.saveSession("h2", alice, Duration.ofMinutes(1));
      store.deleteSession("h2");

      assertThat(store.session("h1")).contains(alice);
      assertThat(store.session("h2")).isEmpty();
      clock.advance(Duration.ofMinutes(1).plusMillis(1));
      assertThat(store.session("h1")).isEmpty();
    }
  }

  @Nested
  class PodRegistryFake {

    final InMemoryPodRegistry pods = new InMemoryPodRegistry(clock);

    @Test
    void aPodWhoseBeatLapsesIsDeadUntilItBeatsAgain() {
      assertThat(pods.beat("pod-a", Duration.ofSeconds(3))).as("first beat").isFalse();
      assertThat(pods.beat("pod-a", Duration.ofSeconds(3))).isTrue();
      pods.beat("pod-b", Duration.ofMinutes(1));
      assertThat(pods.deadPods()).isEmpty();
      assertThat(pods.alive("never-beat")).isFalse();

      clock.advance(Duration.ofSeconds(3));
      assertThat(pods.alive("pod-a")).as("alive through its last millisecond").isTrue();
      clock.advanceMillis(1);
      assertThat(pods.alive("pod-a")).isFalse();
      assertThat(pods.deadPods()).containsExactly("pod-a");
      assertThat(pods.beat("pod-a", Duration.ofMinutes(1))).as("presumed dead meanwhile").isFalse();
      assertThat(pods.deadPods()).isEmpty();

      pods.retire("pod-b");
      assertThat(pods.deadPods()).containsExactly("pod-b");
      assertThat(pods.beat("pod-b", Duration.ofMinutes(1))).as("retired").isFalse();
    }

    @Test
    void oneClaimantCleansUpAfterADeadPodAndForgetsItUnlessItBeatAgain() {
      Entry alice = new Entry("room-1", "alice", "m-1");
      Entry bob = new Entry("room-2", "bob", "m-2");
      pods.beat("pod-a", Duration.ofMinutes(1));
      pods.serve("pod-a", alice);
      pods.serve("pod-a", bob);
      pods.unserve("pod-a", bob);
      assertThat(pods.served("pod-a")).containsExactly(alice);
      pods.retire("pod-a");

      assertThat(pods.claim("pod-a", "pod-b", Duration.ofSeconds(30))).isTrue();
      assertThat(pods.claim("pod-a", "pod-c", Duration.ofSeconds(30))).isFalse();
      clock.advance(Duration.ofSeconds(31));
      assertThat(pods.claim("pod-a", "pod-c", Duration.ofSeconds(30))).as("the claim lapsed").isTrue();

      pods.beat("pod-a", Duration.ofMinutes(1)); // it was only paused
      pods.forget("pod-a");
      assertThat(pods.served("pod-a")).containsExactly(alice);
      assertThat(pods.pods()).contains("pod-a");

      pods.retire("pod-a");
      assertThat(pods.claim("pod-a", "pod-b", Duration.ofSeconds(30))).as("claim ended with the forget").isTrue();
      pods.forget("pod-a");
      assertThat(pods.served("pod-a")).isEmpty();
      assertThat(pods.deadPods()).isEmpty();
      assertThat(pods.claimant("pod-a")).isNull();
    }

    @Test
    void parkedMembersFallDueByDeadlineAtMostLimitAtATime() {
      Entry alice = new Entry("r", "alice", "m-1");
      Entry bob = new Entry("r", "bob", "m-2");
      Entry carol = new Entry("r", "carol", "m-0");
      pods.park(alice, 2_000);
      pods.park(bob, 1_000);
      pods.park(carol, 2_000);

      assertThat(pods.due(999, 10)).isEmpty();
      assertThat(pods.due(1_500, 10)).containsExactly(bob);
      assertThat(pods.due(2_000, 10)).as("ties by encoding: r m-0 carol first").containsExactly(bob, carol, alice);
      assertThat(pods.due(2_000, 2)).containsExactly(bob, carol);
      pods.park(bob, 3_000); // parked again: the later deadline counts
      pods.unpark(alice);
      assertThat(pods.due(2_500, 10)).containsExactly(carol);
      assertThat(pods.parkedUntil(bob)).isEqualTo(3_000);
    }
  }

  @Nested
  class MediaServerFake {

    final FakeMediaServer media = new FakeMediaServer();

    @Test
    void releasingAPipelineReleasesItsEndpointsAndRecorders() {
      String pipeline = media.createPipeline(KMS);
      String a = media.createEndpoint(KMS, pipeline, null);
      String b = media.createEndpoint(KMS, pipeline, null);
      String recorder = media.createRecorder(KMS, pipeline, "file:///tmp/a.webm");
      String other = media.createPipeline("ws://kms-1/kurento");
      assertThat(media.children(KMS, pipeline)).containsExactly(a, b, recorder);
      assertThat(media.liveObjects(KMS)).isEqualTo(4);
      assertThat(media.liveObjects(KMS, Kind.WEBRTC_ENDPOINT)).isEqualTo(2);

      media.release(KMS, a);
      assertThat(media.children(KMS, pipeline)).containsExactly(b, recorder);
      media.release(KMS, pipeline);

      assertThat(media.liveObjects(KMS)).isZero();
      assertThat(media.exists("ws://kms-1/kurento", other)).isTrue();
      assertThatThrownBy(() -> media.release(KMS, b)).isInstanceOfSatisfying(MediaException.class,
          e -> assertThat(e.refused()).isTrue());
      assertThatThrownBy(() -> media.createEndpoint(KMS, pipeline, null)).isInstanceOf(MediaException.class);
    }

    @Test
    void candidatesGoToThePodsCurrentListenerOnly() {
      String pipeline = media.createPipeline(KMS);
      List<IceCandidate> first = new CopyOnWriteArrayList<>();
      List<IceCandidate> second = new CopyOnWriteArrayList<>();
      String endpoint = media.createEndpoint(KMS, pipeline, first::add);
      Object firstHandle = media.listener(KMS, endpoint);
      IceCandidate c1 = new IceCandidate("candidate:1", "0", 0);
      IceCandidate c2 = new IceCandidate("candidate:2", "0", 0);

      assertThat(media.emitCandidate(KMS, endpoint, c1)).isEqualTo(1);
      media.listen(KMS, endpoint, second::add);
      media.unlisten(KMS, endpoint, firstHandle); // replaced meanwhile: nothing happens
      assertThat(media.listener(KMS, endpoint)).isNotNull().isNotSameAs(firstHandle);
      media.emitCandidate(KMS, endpoint, c2);

      assertThat(first).containsExactly(c1);
      assertThat(second).containsExactly(c2);
      media.unlisten(KMS, endpoint, media.listener(KMS, endpoint));
      assertThat(media.listener(KMS, endpoint)).isNull();
      assertThat(media.emitCandidate(KMS, endpoint, c1)).isZero();
      assertThatThrownBy(() -> media.listen(KMS, "pipeline-9/webrtc-9", second::add))
          .isInstanceOf(MediaException.class);
    }

    @Test
    void anotherPodSeesTheSameObjectsWithListenersOfItsOwn() {
      FakeMediaServer podB = media.anotherPod();
      String endpoint = media.createEndpoint(KMS, media.createPipeline(KMS), c -> {});
      List<IceCandidate> heardByB = new ArrayList<>();

      podB.listen(KMS, endpoint, heardByB::add);
      assertThat(podB.emitCandidate(KMS, endpoint, new IceCandidate("c", "0", 0))).as("both pods").isEqualTo(2);
      media.forget(KMS, endpoint);
      podB.disconnect(KMS);

      assertThat(heardByB).hasSize(1);
      assertThat(media.emitCandidate(KMS, endpoint, new IceCandidate("c", "0", 0))).isZero();
      assertThat(podB.disconnects()).containsExactly(KMS);
      assertThat(media.disconnects()).isEmpty();
    }

    @Test
    void offersAreAnsweredOrRefusedAndAnUnreachableNodeFailsEveryRequest() {
      String pipeline = media.createPipeline(KMS);
      String endpoint = media.createEndpoint(KMS, pipeline, null);
      String sink = media.createEndpoint(KMS, pipeline, null);

      assertThat(media.processOffer(KMS, endpoint, "v=0 offer"))
          .isEqualTo(FakeMediaServer.answerTo(endpoint, "v=0 offer"));
      assertThat(media.offer(KMS, endpoint)).isEqualTo("v=0 offer");
      assertThatThrownBy(() -> media.processOffer(KMS, endpoint, FakeMediaServer.REFUSED_OFFER))
          .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.refused()).isTrue());
      media.gatherCandidates(KMS, endpoint);
      media.addIceCandidate(KMS, endpoint, new IceCandidate("c", "0", 0));
      media.connect(KMS, endpoint, sink);
      assertThat(media.gathering(KMS, endpoint)).isTrue();
      assertThat(media.remoteCandidates(KMS, endpoint)).hasSize(1);
      assertThat(media.connects()).containsExactly(new FakeMediaServer.Connection(KMS, endpoint, sink));
      assertThatThrownBy(() -> media.connect(KMS, pipeline, sink)).isInstanceOf(MediaException.class);

      media.makeUnreachable(KMS);
      assertThatThrownBy(() -> media.processOffer(KMS, endpoint, "v=0 offer"))
          .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.refused()).isFalse());
      assertThatThrownBy(() -> media.createPipeline(KMS)).isInstanceOf(MediaException.class);
      media.makeReachable(KMS);
      assertThat(media.createPipeline(KMS)).isNotNull();

      media.loseNode(KMS);
      assertThat(media.liveObjects(KMS)).isZero();
      assertThatThrownBy(() -> media.createPipeline(KMS))
          .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.refused()).isFalse());
    }

    @Test
    void aRecorderRecordsUntilStoppedAndItsFailureReachesTheCallback() {
      String pipeline = media.createPipeline(KMS);
      String recorder = media.createRecorder(KMS, pipeline, "file:///tmp/alice.webm");
      List<String> failures = new ArrayList<>();

      assertThatThrownBy(() -> media.failRecording(KMS, recorder, "not yet")).isInstanceOf(IllegalStateException.class);
      media.record(KMS, recorder, failures::add);
      assertThat(media.recording(KMS, recorder)).isTrue();
      assertThat(media.recordingUri(KMS, recorder)).isEqualTo("file:///tmp/alice.webm");
      media.failRecording(KMS, recorder, "URI_ERROR: unwritable");
      assertThat(failures).containsExactly("URI_ERROR: unwritable");

      media.stopRecording(KMS, recorder);
      assertThat(media.exists(KMS, recorder)).isFalse();
      assertThat(media.liveObjects(KMS, Kind.RECORDER)).isZero();
    }
  }

  @Nested
  class RoomEventsFake {

    final RoomEventBus bus = new RoomEventBus();

    @AfterEach
    void close() {
      bus.close();
    }

    @Test
    void everyFollowingPodHearsARoomsEventsInPublishOrderOnTheBusThread() {
      InMemoryRoomEvents podA = bus.forPod();
      InMemoryRoomEvents podB = bus.forPod();
      InMemoryRoomEvents podC = bus.forPod();
      List<String> heard = new CopyOnWriteArrayList<>();
      Set<String> threads = ConcurrentHashMap.newKeySet();
      podA.follow("r", e -> {
        heard.add("a " + ((RoomEvents.MemberEvent) e).name());
        threads.add(Thread.currentThread().getName());
      });
      podB.follow("r", e -> heard.add("b " + ((RoomEvents.MemberEvent) e).name()));
      podC.follow("other", e -> heard.add("c " + ((RoomEvents.MemberEvent) e).name()));

      for (int i = 0; i < 50; i++) {
        podA.publish("r", new RoomEvents.Joined("p" + i, "m-" + i, "pod-a", true, true));
      }
      bus.settle();

      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        expected.add("a p" + i);
        expected.add("b p" + i);
      }
      assertThat(heard).containsExactlyElementsOf(expected);
      assertThat(threads).containsExactly("room-event-bus");
      assertThat(bus.published("r")).hasSize(50);
    }

    @Test
    void aPodHearsWhatIsPublishedWhileItFollows() {
      InMemoryRoomEvents podA = bus.forPod();
      List<String> heard = new CopyOnWriteArrayList<>();

      podA.publish("r", new RoomEvents.Left("before", "m-0", "pod-a"));
      podA.follow("r", e -> heard.add(((RoomEvents.MemberEvent) e).name()));
      assertThat(podA.follows("r")).isTrue();
      podA.publish("r", new RoomEvents.Left("during", "m-1", "pod-a"));
      bus.settle();
      podA.unfollow("r");
      podA.publish("r", new RoomEvents.Left("after", "m-2", "pod-a"));
      bus.settle();

      assertThat(heard).containsExactly("during");
      assertThat(podA.follows("r")).isFalse();
    }

    @Test
    void settleWaitsForSlowListenersAndWhatTheyPublish() throws InterruptedException {
      InMemoryRoomEvents pod = bus.forPod();
      CountDownLatch release = new CountDownLatch(1);
      List<String> heard = new CopyOnWriteArrayList<>();
      pod.follow("r", e -> {
        heard.add(((RoomEvents.MemberEvent) e).name());
        if (((RoomEvents.MemberEvent) e).name().equals("first")) {
          await(release);
          pod.publish("r", new RoomEvents.Left("echo", "m-2", "pod-a"));
          throw new IllegalStateException("a listener failing");
        }
      });

      pod.publish("r", new RoomEvents.Left("first", "m-1", "pod-a"));
      pod.publish("r", new RoomEvents.Left("second", "m-3", "pod-a"));
      Thread releaser = new Thread(() -> {
        sleep(100);
        release.countDown();
      });
      releaser.start();
      bus.settle();
      releaser.join();

      assertThat(heard).containsExactly("first", "second", "echo");
      assertThat(bus.failures()).singleElement().isInstanceOf(IllegalStateException.class);
    }

    private static void await(CountDownLatch latch) {
      try {
        latch.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void placementKeepsARoomOnItsNodeUntilReleased() {
    FakePlacement placement = new FakePlacement("kms-0", KMS).addNode("kms-1", "ws://kms-1/kurento");

    assertThat(placement.place("r", 4)).isEqualTo(new RoomPlacementClient.PlacedRoom("kms-0", KMS));
    placement.placeOn("kms-1");
    assertThat(placement.place("r", 4).nodeId()).as("idempotent").isEqualTo("kms-0");
    assertThat(placement.place("s", 4).nodeId()).isEqualTo("kms-1");
    assertThat(placement.unplaceRoomsOn("kms-0")).containsExactly("r");
    assertThat(placement.place("r", 4).nodeId()).isEqualTo("kms-1");
    placement.release("s");
    assertThat(placement.placement("s")).isEmpty();
    assertThat(placement.released()).containsExactly("s");

    placement.failWith(new IllegalStateException("placement down"));
    assertThatThrownBy(() -> placement.place("t", 4)).hasMessage("placement down");
    placement.recover();
    assertThat(placement.place("t", 4).nodeId()).isEqualTo("kms-1");
    assertThat(placement.placeCalls()).isEqualTo(6);
  }

  @Test
  void loadIsSummedPerRoomAndPerNode() {
    RecordingLoadReporter load = new RecordingLoadReporter();
    load.report("r", "kms-0", 1, 1);
    load.report("r", "kms-0", 2, 0);
    load.report("s", "kms-0", 1, 1);
    load.report("r", "kms-0", -3, -1);
    load.report("r", "kms-1", 1, 1);

    assertThat(load.room("r")).isEqualTo(new RecordingLoadReporter.Load(1, 1));
    assertThat(load.room("r", "kms-0")).isEqualTo(new RecordingLoadReporter.Load(0, 0));
    assertThat(load.node("kms-0")).isEqualTo(new RecordingLoadReporter.Load(1, 1));
    assertThat(load.room("nowhere")).isEqualTo(new RecordingLoadReporter.Load(0, 0));
    assertThat(load.reports()).hasSize(5);
  }

  @Test
  void aChannelKeepsWhatWasSentUntilItClosesOnce() {
    RecordingChannel channel = new RecordingChannel();
    assertThat(channel.access()).isEqualTo(Access.ANYONE);
    channel.access(new Access("alice", "r", Set.of(Grant.SUBSCRIBE)));
    assertThat(channel.access().may(Grant.PUBLISH)).isFalse();

    channel.send(new ServerMessage.ParticipantLeft("bob"));
    channel.send(new ServerMessage.Session("t1"));
    channel.send(new ServerMessage.ParticipantLeft("carol"));
    assertThat(channel.sent()).hasSize(3);
    assertThat(channel.sent(ServerMessage.ParticipantLeft.class)).extracting(ServerMessage.ParticipantLeft::name)
        .containsExactly("bob", "carol");
    assertThat(channel.last(ServerMessage.ParticipantLeft.class).name()).isEqualTo("carol");
    assertThatThrownBy(() -> channel.last(ServerMessage.Resumed.class)).isInstanceOf(AssertionError.class);

    channel.closeEnded("the session ended: join again");
    channel.closeReplaced("too late");
    channel.send(new ServerMessage.Session("t2"));
    assertThat(channel.closedWith()).isEqualTo(new RecordingChannel.Close(4001, "the session ended: join again"));
    assertThat(channel.sent()).hasSize(3);
  }

  @Test
  void presenceAndObserverKeepWhatTheyAreTold() {
    RecordingPresence presence = new RecordingPresence();
    presence.publish(new PresenceEvent("1", PresenceType.ROOM_OPENED, "r", 0, clock.instant(), "pod-a", null, null,
        "kms-0", null, null, null, "R"));
    presence.publish(new PresenceEvent("2", PresenceType.PARTICIPANT_JOINED, "r", 0, clock.instant(), "pod-a",
        "alice", "alice", "kms-0", true, true, null, "R"));
    assertThat(presence.types()).containsExactly(PresenceType.ROOM_OPENED, PresenceType.PARTICIPANT_JOINED);
    assertThat(presence.events(PresenceType.PARTICIPANT_JOINED)).extracting(PresenceEvent::participant)
        .containsExactly("alice");

    CountingObserver observer = new CountingObserver();
    observer.resumed(true);
    observer.resumed(false);
    observer.resumed(false);
    observer.adoptedDeadPod(3);
    observer.adoptedDeadPod(2);
    observer.expired();
    observer.roomRebuilt();
    observer.ghostRoomSwept();
    assertThat(observer.ghostsSwept()).isEqualTo(1);
    assertThat(observer.resumedHere()).isEqualTo(2);
    assertThat(observer.resumedFromElsewhere()).isEqualTo(1);
    assertThat(observer.adoptedPods()).isEqualTo(2);
    assertThat(observer.adoptedMembers()).isEqualTo(5);
    assertThat(observer.expiries()).isEqualTo(1);
    assertThat(observer.roomsRebuilt()).isEqualTo(1);
  }
}
