package io.switchboard.signaling.redis;

/**
 * Every Redis key and channel signaling owns, in one place. Placement's keys, which signaling also
 * touches (the load report, the announcement stream), are {@code PlacementKeys} in
 * placement-contract.
 *
 * <p>Hash tags: every key of one room shares {@code {room:<id>}}, so the room scripts, which touch
 * the room's hash and its members together, run in one slot of a Redis Cluster; the pod registry's
 * keys share {@code {pods}} for the same reason. A room's sequence counter carries the room's tag
 * but is a key of its own (it outlives the room); a session key has no tag (one key per script).
 *
 * <p>Who writes what: every key below is written only by signaling pods, through its Redis
 * adapters ({@code store.redis.RedisRoomStore}, {@code pods.redis.RedisPodRegistry},
 * {@code presence.redis.RedisRoomSequences}, {@code events.redis.RedisRoomEvents}; the atomic
 * steps are the scripts in {@code resources/redis/}, loaded by {@link RedisScripts}). Readers are
 * signaling pods too; no other service reads them (operators and tests do: {@code
 * docs/operations.md} lists them). The member record and pod entry formats are
 * {@code RedisRoomStore#encode} and {@code RedisPodRegistry#encode}.
 */
public final class SignalingKeys {

  /** Every key starts with this. */
  public static final String PREFIX = "sb:";

  private SignalingKeys() {}

  /**
   * HASH of one room: {@code nodeId kmsUrl pipelineId}, written by the pod that opened (or rebuilt)
   * the room, read by every pod; {@code presenter} ({@code memberId name}) while someone presents
   * in a broadcast, claimed and released by the presenter's pod. Deleted with {@link
   * #roomMembers(String)} when the last member goes.
   */
  public static String room(String roomId) {
    return PREFIX + "{room:" + roomId + "}";
  }

  /**
   * HASH of one room's members: name → the member's record as JSON ({@code RoomStore.MemberRecord}:
   * membership id, pod, session hash, endpoint ids, media state, parked-until). Each field is written only by the pod it names
   * (checked in Lua); read by every pod of the room and by the janitor of any pod.
   */
  public static String roomMembers(String roomId) {
    return room(roomId) + ":members";
  }

  /**
   * STRING with a TTL: held ({@code <pod>/<uuid>}) while a pod creates or rebuilds the room's
   * pipeline; taken with SET NX, released by its holder only (compare and delete in Lua).
   */
  public static String roomLock(String roomId) {
    return room(roomId) + ":lock";
  }

  /**
   * Pub/sub CHANNEL (not a key) of one room's events, as JSON: every pod serving a participant of
   * the room subscribes, any of them publishes.
   */
  public static String roomEvents(String roomId) {
    return room(roomId) + ":events";
  }

  /**
   * How long a room's sequence counter is kept after its last event (whoever numbers it: a join's
   * or leave's script, or the presence sender): longer than any consumer's gap window.
   */
  public static final java.time.Duration ROOM_SEQUENCE_KEEP = java.time.Duration.ofDays(30);

  /**
   * STRING counter: the sequence number of a room's presence events, INCR by the pod sending the
   * event; expires 30 days after the room's last event, not with the room, so a room opened again
   * counts on.
   */
  public static String roomSequence(String roomId) {
    return PREFIX + "seq:{room:" + roomId + "}";
  }

  /**
   * HASH with a TTL: the owner of a resume token, by the token's SHA-256 ({@code room name
   * roomName}: room id, participant, room name as typed). Written by the pod that issued the token,
   * read by the pod the participant resumes on, deleted when the participant leaves.
   */
  public static String session(String tokenHash) {
    return PREFIX + "session:" + tokenHash;
  }

  /** SET of every pod that has beaten and not been forgotten; written by each pod, read by janitors. */
  public static String pods() {
    return PREFIX + "{pods}";
  }

  /** STRING with a TTL: a pod's heartbeat, renewed by the pod itself; a pod without it is dead. */
  public static String podAlive(String pod) {
    return pods() + ":alive:" + pod;
  }

  /**
   * STRING with a TTL: the id of the live pod cleaning up after a dead one (SET NX by the janitor
   * that claims it, deleted when the dead pod is forgotten).
   */
  public static String podClaim(String pod) {
    return pods() + ":claim:" + pod;
  }

  /**
   * SET of {@code room memberId name}: the participants a pod serves, written by that pod, read by
   * the janitor that cleans up after it (a hint: the member record decides).
   */
  public static String podMembers(String pod) {
    return pods() + ":members:" + pod;
  }

  /**
   * ZSET of {@code room memberId name} by resume deadline (epoch ms): participants whose socket
   * dropped, written by the pod that parked them, read and cleared by any pod's janitor.
   */
  public static String parked() {
    return pods() + ":parked";
  }

  /**
   * SET of the rooms one client opened and that are open ({@code max-open-rooms-per-client}):
   * {@code opener} is {@code identity:<name>} or {@code address:<client address>}, hashed (SHA-256,
   * first 32 hex digits) into the key so that no name can make it long or break its hash tag.
   * Added to by the pod that opens a room (room-reserve.lua, before placement), removed from by the
   * pod that closes it; expires a day after its last addition (a count left by a pod that died
   * fades).
   */
  public static String openings(String opener) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(opener.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return PREFIX + "{opener:" + java.util.HexFormat.of().formatHex(digest, 0, 16) + "}";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
