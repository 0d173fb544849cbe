package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Rooms whose KMS node was lost, rebuilt on a new node by one pod, on its own thread
 * ({@code room-rebuild}); every pod then moves its participants to their new endpoints and tells
 * their clients to publish and subscribe again.
 */
final class RoomRebuild implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RoomRebuild.class);
  private static final String MEDIA_MOVED =
      "the room's media server was lost and the room moved to another: publish and subscribe again";

  private final RoomStore store;
  private final RoomPlacementClient placement;
  private final MediaServer media;
  private final MediaCleanup cleanup;
  private final LoadReporter load;
  private final RoomEvents events;
  private final MemberRecords records;
  private final CallObserver observer;
  private final String podId;
  private final int expectedParticipants;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "room-rebuild");
    t.setDaemon(true);
    return t;
  });

  RoomRebuild(RoomStore store, RoomPlacementClient placement, MediaServer media, MediaCleanup cleanup,
      LoadReporter load, RoomEvents events, MemberRecords records, CallObserver observer, String podId,
      int expectedParticipants) {
    this.store = store;
    this.placement = placement;
    this.media = media;
    this.cleanup = cleanup;
    this.load = load;
    this.events = events;
    this.records = records;
    this.observer = observer;
    this.podId = podId;
    this.expectedParticipants = expectedParticipants;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  /**
   * Placement announced that a KMS node is gone (DOWN, or drained past its deadline) and removed
   * the placements of its rooms: each of these rooms is rebuilt on a new node, once (whichever
   * pod takes the room's creation lock), and its participants are told to renegotiate.
   */
  void nodeLost(String nodeId, boolean down, List<String> rooms, String reason) {
    Set<String> urls = new HashSet<>();
    for (String roomId : rooms) {
      try {
        store.room(roomId).filter(r -> r.nodeId().equals(nodeId)).ifPresent(r -> urls.add(r.kmsUrl()));
      } catch (RuntimeException e) {
        log.warn("room {}: {}", roomId, e.toString());
      }
      thread.execute(() -> {
        try (var room = MDC.putCloseable("room", roomId)) {
          rebuild(roomId, nodeId, down, reason);
        } catch (RuntimeException e) {
          log.error("room {} could not be rebuilt after losing node {}: {}", roomId, nodeId, e.toString());
        }
      });
    }
    if (down) {
      // Nothing of ours is left on a dead node: stop reconnecting to it. Should it come back, KMS
      // collects what our sessions held once their sockets are gone.
      thread.execute(() -> urls.forEach(media::disconnect));
    }
  }

  private void rebuild(String roomId, String lostNode, boolean down, String reason) {
    if (store.room(roomId).filter(r -> r.nodeId().equals(lostNode)).isEmpty()) {
      return; // closed, or rebuilt by another pod already
    }
    String owner = podId + "/" + Ids.fresh();
    if (!store.lockRoom(roomId, owner)) {
      log.info("room {}: another pod is opening or rebuilding it", roomId);
      return;
    }
    RoomStore.RoomRecord old;
    RoomStore.RoomRecord rebuilt;
    int moved = 0;
    try {
      old = store.room(roomId).filter(r -> r.nodeId().equals(lostNode)).orElse(null);
      if (old == null) {
        return;
      }
      int expected = Math.max(expectedParticipants, store.members(roomId).size());
      RoomPlacementClient.PlacedRoom placed = placement.place(roomId, expected);
      if (placed.nodeId().equals(lostNode)) {
        log.warn("room {}: placement still places it on {}; not rebuilt", roomId, lostNode);
        return;
      }
      rebuilt = new RoomStore.RoomRecord(placed.nodeId(), placed.kmsUrl(), media.createPipeline(placed.kmsUrl()));
      // From here joins go to the new pipeline; one that read the old record is refused by
      // addMember (ROOM_GONE) and starts over, and one that made it is in the list read next.
      if (!store.saveRoom(roomId, owner, rebuilt)) {
        log.warn("room {}: the rebuild lock lapsed while placement and KMS answered; another pod has the room,"
            + " this pipeline ({}) is released", roomId, rebuilt.pipelineId());
        cleanup.release(rebuilt.kmsUrl(), rebuilt.pipelineId());
        return;
      }
      for (Map.Entry<String, RoomStore.MemberRecord> m : store.members(roomId).entrySet()) {
        String endpoint = media.createEndpoint(rebuilt.kmsUrl(), rebuilt.pipelineId(), null);
        if (repoint(roomId, m.getKey(), m.getValue(), endpoint)) {
          moved++;
        } else {
          cleanup.release(rebuilt.kmsUrl(), endpoint);
        }
      }
      load.report(roomId, rebuilt.nodeId(), moved, moved);
      events.publish(roomId, new RoomEvents.Rebuilt(podId));
    } finally {
      store.unlockRoom(roomId, owner);
    }
    log.warn("room {} rebuilt on node {} ({} participants must renegotiate): node {} was lost ({})", roomId,
        rebuilt.nodeId(), moved, lostNode, reason);
    observer.roomRebuilt();
    if (!down) {
      // A drained node is still there: free it.
      cleanup.later(() -> cleanup.release(old.kmsUrl(), old.pipelineId()));
    }
  }

  /** Points a member's record at its new publisher endpoint, whichever pod serves it. */
  private boolean repoint(String roomId, String name, RoomStore.MemberRecord member, String endpoint) {
    RoomStore.MemberRecord m = member;
    for (int attempt = 0; attempt < 5 && m != null; attempt++) {
      if (store.replaceMember(roomId, name, m.pod(), m.publisher(), m.rebuiltWith(endpoint))) {
        return true;
      }
      m = store.member(roomId, name).orElse(null); // its pod wrote it meanwhile
    }
    return false;
  }

  /** The room's media was rebuilt: this pod's participants take their new endpoints, on the rebuild thread. */
  void takeInLater(String roomId, List<Participant> participants) {
    thread.execute(() -> participants.forEach(p -> takeIn(roomId, p)));
  }

  /** This pod's participant takes its new endpoint (the rebuilding pod wrote it into its record). */
  private void takeIn(String roomId, Participant p) {
    try {
      RoomStore.MemberRecord m = store.member(roomId, p.name)
          .filter(r -> r.id().equals(p.memberId) && r.pod().equals(podId)).orElse(null);
      RoomStore.RoomRecord room = store.room(roomId).orElse(null);
      if (m == null || room == null) {
        return;
      }
      List<String> stale = new ArrayList<>();
      String oldKms;
      boolean tell;
      synchronized (p) {
        if (p.gone || m.publisher().equals(p.publisherEndpoint)) {
          return; // not rebuilt, or already taken in
        }
        oldKms = p.kmsUrl;
        stale.addAll(p.record(podId).endpoints());
        p.screenEndpoint = null;
        p.recorder = null;
        p.recordingUri = null;
        p.kmsUrl = room.kmsUrl();
        p.nodeId = room.nodeId();
        p.pipelineId = room.pipelineId();
        p.publisherEndpoint = m.publisher();
        p.publishing = false;
        p.dropSubscriptions();
        p.pendingCandidates.clear();
        tell = !p.detached;
        p.mediaMoved = !tell; // a detached participant is told when it resumes
        records.write(p);
      }
      stale.forEach(e -> media.forget(oldKms, e));
      media.listen(p.kmsUrl, p.publisherEndpoint,
          c -> p.channel.send(new ServerMessage.IceCandidateFound(p.name, c, Stream.WEBCAM)));
      if (tell) {
        tellMediaMoved(p);
      }
    } catch (RuntimeException e) {
      log.warn("{} in room {}: could not take in the rebuilt media: {}", p.name, roomId, e.toString());
    }
  }

  /** Tells a resumed participant that its room's media moved while it was away, if it did. */
  void tellIfMediaMoved(Participant p) {
    boolean tell;
    synchronized (p) {
      tell = p.mediaMoved;
      p.mediaMoved = false;
      if (tell) {
        records.write(p);
      }
    }
    if (tell) {
      tellMediaMoved(p);
    }
  }

  /**
   * Tells a client its peer connections are dead: {@code mediaMoved} (publish again), then each
   * other participant leaves and arrives again, which is what makes the tutorial's client, which
   * knows no {@code mediaMoved}, subscribe anew.
   */
  private void tellMediaMoved(Participant p) {
    Map<String, RoomStore.MemberRecord> members = store.members(p.roomId);
    List<String> others;
    synchronized (p) {
      others = new ArrayList<>(p.known.keySet());
    }
    p.channel.send(new ServerMessage.MediaMoved(MEDIA_MOVED));
    for (String other : others) {
      RoomStore.MemberRecord m = members.get(other);
      p.channel.send(new ServerMessage.ParticipantLeft(other));
      if (m != null) {
        p.channel.send(new ServerMessage.NewParticipantArrived(other, m.audio(), m.video()));
      }
    }
  }
}
