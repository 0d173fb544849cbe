package io.switchboard.signaling.domain;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The call service a pod's join rehearsal talks to ({@code ws/JoinRehearsal}), before the pod turns
 * ready: built from the pod's own pieces — its Redis store and room events, its KMS sessions, its
 * clock and pod id — so that a rehearsal's joins, offers, candidates and leaves run the code a
 * browser's do, and the JIT has compiled it before the first burst. Nothing outside the pod hears
 * of it: placement is not asked (the rooms go on the node named here, and placement never lists
 * them, so no sweep publishes them), no load is reported, no presence event is sent, no meter
 * counts, its members are not entered as served by the pod (were the pod to die mid-rehearsal,
 * nobody would adopt them), and a socket that closes leaves at once. Rehearsal rooms have names
 * no client's room id can equal (see {@link #roomName}).
 */
public final class RehearsalCalls {

  private RehearsalCalls() {}

  /**
   * The rehearsal's call service.
   *
   * @param kmsUrl the node its rooms go on (one the pod opened already)
   * @param limits what its rooms allow (the pod's own)
   */
  public static GroupCallService create(RoomStore store, PodRegistry pods, MediaServer media, RoomEvents events,
      Clock clock, String podId, String kmsUrl, RoomLimits limits) {
    RoomPlacementClient placement = new RoomPlacementClient() {
      @Override
      public PlacedRoom place(String roomId, int expectedParticipants) {
        return new PlacedRoom(NODE, kmsUrl);
      }

      @Override
      public void release(String roomId) {}
    };
    return new GroupCallService(store, new Unlisted(pods), media, placement, PlacedRooms.NONE, (room, node, e, p) -> { },
        events, PresenceFeed.NONE, CallObserver.NONE, clock,
        new GroupCallService.Settings(podId, 1, Duration.ZERO, Duration.ofSeconds(5), Duration.ofSeconds(15), limits));
  }

  /** The node id a rehearsal room's record names (placement knows no node by it). */
  static final String NODE = "~rehearsal";

  /**
   * The name of rehearsal room {@code index} of the rehearsal {@code run}: it starts with {@code
   * ~}, so its room id is a hash of it ({@link RoomIds}), and {@code run} is random.
   */
  public static String roomName(String run, int index) {
    return "~rehearsal-" + run + "-" + index;
  }

  /**
   * A rehearsal room still open once the rehearsal is over (a member whose leave did not come
   * through): its members and record removed, its pipeline released — nobody else would (no pod
   * serves its members, and placement, which the sweeper asks, never heard of the room). Returns
   * whether there was anything to remove.
   */
  public static boolean removeLeftovers(RoomStore store, MediaServer media, String roomId) {
    java.util.Optional<RoomStore.Snapshot> left = store.snapshot(roomId);
    if (left.isEmpty()) {
      return false;
    }
    RoomStore.RoomRecord room = left.get().room();
    org.slf4j.LoggerFactory.getLogger(RehearsalCalls.class).warn(
        "join rehearsal: room {} still open with {} members after the rehearsal: removed", roomId,
        left.get().members().size());
    left.get().members().forEach((name, member) -> store.removeMember(roomId, name, member.id(), member.pod()));
    store.deleteIfEmpty(roomId);
    media.release(room.kmsUrl(), room.pipelineId());
    return true;
  }

  /** The pod's registry, except that members are not entered as served (nor parked) by anyone. */
  private record Unlisted(PodRegistry pods) implements PodRegistry {
    @Override
    public boolean beat(String pod, Duration ttl) {
      return pods.beat(pod, ttl);
    }

    @Override
    public boolean alive(String pod) {
      return pods.alive(pod);
    }

    @Override
    public void retire(String pod) {
      // the pod's own service withdraws its beat
    }

    @Override
    public Set<String> deadPods() {
      return pods.deadPods();
    }

    @Override
    public boolean claim(String deadPod, String claimant, Duration ttl) {
      return false;
    }

    @Override
    public void forget(String deadPod) {}

    @Override
    public void serve(String pod, Entry member) {}

    @Override
    public void unserve(String pod, Entry member) {}

    @Override
    public List<Entry> served(String pod) {
      return List.of();
    }

    @Override
    public void park(Entry member, long deadlineMillis) {}

    @Override
    public void unpark(Entry member) {}

    @Override
    public List<Entry> due(long nowMillis, int limit) {
      return List.of();
    }
  }
}
