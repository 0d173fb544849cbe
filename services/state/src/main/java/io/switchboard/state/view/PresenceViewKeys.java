package io.switchboard.state.view;

/**
 * Every Redis key of the presence view, in one place. All share the hash tag {@code {view}}: one
 * slot of a Redis Cluster, so one script applies an event to everything it touches atomically,
 * together with the event's id and its topic position (exactly once in effect). The apply script
 * also builds user keys of its own, from {@link #userPrefix()}, for participants it finds in a room
 * it closes.
 *
 * <p>Who writes what: every key below is written only by the state service's consumers, through
 * {@link RedisPresenceView} (the scripts in {@code resources/redis/}), and read by the state
 * service: its REST API ({@link RedisPresenceView}'s reads), its SSE stream ({@link #changes()}),
 * and its consumers on assignment ({@link #positions()}). No other service reads them.
 */
public final class PresenceViewKeys {

  /** Every key starts with this. */
  public static final String PREFIX = "st:{view}:";

  private PresenceViewKeys() {}

  /** STRING ({@code 1}) with a 7-day TTL: an applied event's id; a redelivery finds it and is a duplicate. */
  public static String event(String eventId) {
    return PREFIX + "event:" + eventId;
  }

  /**
   * HASH of one room: {@code seq} (the highest sequence number applied, kept after the room
   * closes), and while the room is open {@code kmsNode openedAt name}.
   */
  public static String room(String roomId) {
    return PREFIX + "room:" + roomId;
  }

  /** HASH of one open room's participants: name → JSON {@code identity audio video joinedAt state}. */
  public static String roomParticipants(String roomId) {
    return room(roomId) + ":participants";
  }

  /**
   * HASH with a 7-day TTL, renewed by each event: the sequence number last applied to each of a
   * room's subjects ({@code @name} joins and leaves, {@code ~name} media and connection state,
   * {@code #room} and {@code #closed} the room itself), kept after a leave or a close as
   * tombstones, so an older event arriving late changes nothing.
   */
  public static String roomSequences(String roomId) {
    return room(roomId) + ":seqs";
  }

  /**
   * ZSET of the open rooms' ids, scored by the time of the newest event applied to each (epoch ms,
   * the event's own): a room not heard of for {@code switchboard.state.room-expiry} is closed in
   * the view (its pod died with its last events; a live room's snapshot comes every minute).
   */
  public static String heard() {
    return PREFIX + "heard";
  }

  /** ZSET of the open rooms' ids, scored by opening time (epoch ms). */
  public static String rooms() {
    return PREFIX + "rooms";
  }

  /**
   * HASH of one identity's presence: room id → JSON {@code participant state since}, and {@code
   * lastSeen} (epoch ms).
   */
  public static String user(String identity) {
    return userPrefix() + identity;
  }

  /** What {@link #user(String)} puts before the identity; the apply script builds user keys with it. */
  public static String userPrefix() {
    return PREFIX + "user:";
  }

  /**
   * STREAM of every change applied, in order (trimmed to about the last 100 000): what the SSE
   * stream serves, and resumes from by {@code Last-Event-ID}.
   */
  public static String changes() {
    return PREFIX + "changes";
  }

  /**
   * HASH partition → offset of the last presence record taken in, written with each record's
   * effect (or on its own for a record that is dead-lettered); read when a partition is assigned, to
   * go on from there.
   */
  public static String positions() {
    return PREFIX + "positions";
  }
}
