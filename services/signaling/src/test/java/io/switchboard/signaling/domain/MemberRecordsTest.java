package io.switchboard.signaling.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.groupcall.protocol.ServerMessage.ParticipantState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

  /** The store, with {@code before} run ahead of each call to it. */
  RoomStore storeWith(java.util.function.Consumer<String> before) {
    return (RoomStore) java.lang.reflect.Proxy.newProxyInstance(RoomStore.class.getClassLoader(),
        new Class<?>[] {RoomStore.class}, (proxy, method, args) -> {
          before.accept(method.getName());
          try {
            return method.invoke(store, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** Records whose first write waits, once {@code writing} is counted down, until {@code answer} is; writes counted. */
  MemberRecords firstWriteHeld(CountDownLatch writing, CountDownLatch answer,
      java.util.concurrent.atomic.AtomicInteger writes) {
    return new MemberRecords(storeWith(method -> {
      if (method.equals("replaceMember") && writes.incrementAndGet() == 1) {
        writing.countDown();
        try {
          answer.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }), "pod-a");
  }

  /**
   * While a record is on its way to Redis, the participant's other work — its other negotiations,
   * its candidates, the room's events — does not wait for the round trip.
   */
  @Test
  void aRecordIsWrittenWithoutHoldingTheParticipantOverTheRoundTrip() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    MemberRecords slow = firstWriteHeld(writing, answer, new java.util.concurrent.atomic.AtomicInteger());
    synchronized (alice) {
      alice.audio = false;
    }
    CompletableFuture<Boolean> persisted = CompletableFuture.supplyAsync(() -> slow.persist(alice));
    try {
      assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> meanwhile = CompletableFuture.runAsync(() -> {
        synchronized (alice) {
          alice.video = false;
        }
      });
      meanwhile.get(10, TimeUnit.SECONDS); // with the monitor held over the write: a TimeoutException
    } finally {
      answer.countDown();
    }
    assertThat(persisted.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(store.member(ROOM, "alice").orElseThrow().audio()).isFalse();
  }

  /** Writes asked for while one is on its way are folded into one write, of the latest state. */
  @Test
  void writesAskedForWhileOneIsOnItsWayAreFoldedIntoOne() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
    MemberRecords slow = firstWriteHeld(writing, answer, writes);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> persisted = new ArrayList<>();
      persisted.add(threads.submit(() -> slow.persist(alice)));
      assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
      for (String sender : List.of("bob", "carol", "dave")) {
        synchronized (alice) {
          alice.subscriptions.put(sender, "pipeline-1/webrtc-" + sender);
        }
        persisted.add(threads.submit(() -> slow.persist(alice)));
      }
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> alice.recordRevision.get() == 4); // the three states taken, their writes waiting
      answer.countDown();
      for (Future<Boolean> f : persisted) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      answer.countDown();
      threads.shutdownNow();
    }
    assertThat(writes).as("the first, then one of the three states taken meanwhile: the latest").hasValue(2);
    assertThat(store.member(ROOM, "alice").orElseThrow().subscriptions()).containsOnlyKeys("bob", "carol", "dave");
  }

  /**
   * Records written side by side, from states taken one after another, leave the latest state
   * stored, whichever write reaches the store last; and writes made holding the monitor mix with them.
   */
  @Test
  void recordsWrittenSideBySideLeaveTheLatestStateStored() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(6);
    try {
      for (int round = 0; round < 300; round++) {
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          int n = round * 6 + i;
          all.add(threads.submit(() -> {
            synchronized (alice) {
              alice.subscriptions.put("bob", "pipeline-1/webrtc-" + n);
              alice.audio = n % 2 == 0;
              if (n % 3 == 0) {
                assertThat(records.write(alice)).isTrue();
                return;
              }
            }
            assertThat(records.persist(alice)).isTrue();
          }));
        }
        for (Future<?> f : all) {
          f.get(10, TimeUnit.SECONDS);
        }
        RoomStore.MemberRecord latest;
        synchronized (alice) {
          latest = alice.record("pod-a");
        }
        assertThat(store.member(ROOM, "alice")).as("round " + round).contains(latest);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** A write refused because the publisher changed after its state was taken is made again with the new one. */
  @Test
  void aRecordRefusedForAPublisherThatChangedMeanwhileIsWrittenWithTheNewOne() {
    AtomicBoolean once = new AtomicBoolean();
    MemberRecords racing = new MemberRecords(storeWith(method -> {
      if (method.equals("replaceMember") && once.compareAndSet(false, true)) {
        // Between the state taken and its write: the participant publishes anew (as a broadcast
        // switch does), its record written with the new publisher.
        synchronized (alice) {
          String old = alice.publisherEndpoint;
          alice.publisherEndpoint = "pipeline-1/webrtc-new";
          store.replaceMember(ROOM, "alice", "pod-a", old, alice.record("pod-a"));
        }
      }
    }), "pod-a");
    synchronized (alice) {
      alice.audio = false;
    }

    assertThat(racing.persist(alice)).isTrue();
    assertThat(store.member(ROOM, "alice").orElseThrow().publisher()).isEqualTo("pipeline-1/webrtc-new");
    assertThat(store.member(ROOM, "alice").orElseThrow().audio()).isFalse();
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
