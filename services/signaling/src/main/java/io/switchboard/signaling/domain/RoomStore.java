package io.switchboard.signaling.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What continues a room across pods: its media location and members (Redis, in production). A
 * member's record holds everything another pod needs to serve the participant on: its endpoints
 * by id, its session and media state. Only the pod a record names writes it, and every write
 * checks that ({@link #replaceMember}), so a pod that lost a participant to another pod can never
 * overwrite or remove it.
 */
public interface RoomStore {

  /** A room's KMS node and pipeline. */
  record RoomRecord(String nodeId, String kmsUrl, String pipelineId) {}

  /**
   * Goes through what its hot paths use before the pod turns ready (best effort, nothing written):
   * a pod's first joins would otherwise each pay for it, side by side.
   */
  default void prepare() {}

  /**
   * A member as every pod sees it.
   *
   * @param id this membership (a rejoin under the same name is another member)
   * @param pod the signaling pod serving it
   * @param session hash of its resume token
   * @param publisher its WebRTC endpoint publishing its camera
   * @param publishing whether that endpoint has negotiated
   * @param subscriptions sender name (with {@code #screen} for a screen) → its endpoint receiving that sender
   * @param parkedUntil epoch millis until which a disconnected member waits for a resume; 0 when connected
   * @param mediaMoved the room was rebuilt on another node and the member's client was not told yet
   * @param screen its endpoint publishing a shared screen, or null
   * @param recorder its RecorderEndpoint recording its camera, or null
   * @param recordingUri where that recorder writes, or null
   */
  record MemberRecord(String id, String pod, String session, String publisher, boolean publishing,
      Map<String, String> subscriptions, boolean audio, boolean video, long joinedAt, long parkedUntil,
      boolean mediaMoved, String screen, String recorder, String recordingUri) {

    public MemberRecord {
      subscriptions = Map.copyOf(subscriptions);
    }

    public MemberRecord withPod(String newPod) {
      return new MemberRecord(id, newPod, session, publisher, publishing, subscriptions, audio, video, joinedAt, 0,
          mediaMoved, screen, recorder, recordingUri);
    }

    public MemberRecord parked(long until) {
      return new MemberRecord(id, pod, session, publisher, publishing, subscriptions, audio, video, joinedAt, until,
          mediaMoved, screen, recorder, recordingUri);
    }

    public MemberRecord withPublishing(boolean now) {
      return new MemberRecord(id, pod, session, publisher, now, subscriptions, audio, video, joinedAt, parkedUntil,
          mediaMoved, screen, recorder, recordingUri);
    }

    public MemberRecord withSubscriptions(Map<String, String> now) {
      return new MemberRecord(id, pod, session, publisher, publishing, now, audio, video, joinedAt, parkedUntil,
          mediaMoved, screen, recorder, recordingUri);
    }

    public MemberRecord withoutSubscription(String sender) {
      Map<String, String> now = new LinkedHashMap<>(subscriptions);
      now.remove(sender);
      return withSubscriptions(now);
    }

    /**
     * The member's media rebuilt on a new pipeline: a new publisher, nothing negotiated, nothing
     * received, no screen shared, nothing recorded.
     */
    public MemberRecord rebuiltWith(String newPublisher) {
      return new MemberRecord(id, pod, session, newPublisher, false, Map.of(), audio, video, joinedAt, parkedUntil,
          true, null, null, null);
    }

    /** Every WebRTC endpoint the member holds on KMS (its recorder is stopped, then released, apart). */
    public java.util.List<String> endpoints() {
      java.util.List<String> all = new java.util.ArrayList<>(subscriptions.values());
      all.add(publisher);
      if (screen != null) {
        all.add(screen);
      }
      return all;
    }
  }

  Optional<RoomRecord> room(String roomId);

  /** A room as it stood at presence sequence number {@code sequence}. */
  record Snapshot(RoomRecord room, Map<String, MemberRecord> members, long sequence) {}

  /**
   * The room's record and members, read in one step that also takes the room's next presence
   * sequence number (so every change numbered before it is in what was read, docs/events.md);
   * empty, and nothing numbered, when the room has no record.
   */
  Optional<Snapshot> snapshot(String roomId);

  /** Takes the right to create the room's pipeline; only one caller at a time holds it. */
  boolean lockRoom(String roomId, String owner);

  void unlockRoom(String roomId, String owner);

  /**
   * Saves the room's media location if {@code owner} still holds the room's lock ({@link
   * #lockRoom}), in one step; false (nothing changed) when the lock lapsed and was taken or is gone.
   */
  boolean saveRoom(String roomId, String owner, RoomRecord room, String opener);

  /** The same, leaving the room's opener as it is (a rebuild). */
  default boolean saveRoom(String roomId, String owner, RoomRecord room) {
    return saveRoom(roomId, owner, room, null);
  }

  /**
   * Counts {@code roomId} among the rooms {@code opener} has open, if it has fewer than {@code max}
   * (or counts it already), in one step; false (nothing changed) when it has {@code max}.
   */
  boolean reserveOpening(String opener, String roomId, int max);

  /** No longer counts {@code roomId} for {@code opener}. */
  void releaseOpening(String opener, String roomId);

  /** Whose rooms {@code roomId} counts among ({@link #saveRoom}'s opener), if anyone's. */
  Optional<String> openerOf(String roomId);

  /** What {@link #addMember} did. */
  enum Added {
    ADDED,
    /** Someone in the room already has the name. */
    NAME_TAKEN,
    /** The room closed (or closed and reopened with another pipeline) since it was read. */
    ROOM_GONE,
    /** The room has as many members as it may. */
    ROOM_FULL
  }

  /**
   * Adds a member, atomically, if the room is still the one on {@code pipelineId} and the name is
   * free, and the room has fewer than {@code maxMembers}. Checking the room and adding the member
   * in one step is what keeps a join on one pod from adding a member to a room another pod is
   * closing, and two joins from overfilling it.
   */
  default Added addMember(String roomId, String pipelineId, String name, MemberRecord member, int maxMembers) {
    return admit(roomId, pipelineId, name, member, maxMembers).added();
  }

  /**
   * What {@link #admit} did, and when it added the member, the room's members (it among them) in
   * join order as they were at that moment: the members a newcomer is introduced to.
   */
  /**
   * @param sequence the join's presence sequence number, taken in the same step as the addition
   *     (0 when nothing was added)
   */
  record Admission(Added added, Map<String, MemberRecord> members, long sequence) {

    public Admission {
      members = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    /** Nothing added. */
    public Admission(Added added, Map<String, MemberRecord> members) {
      this(added, members, 0);
    }
  }

  /**
   * {@link #addMember}, answering with the room's members as of the addition, read in the same
   * atomic step: every member that joins later is added after it, and so publishes its join after
   * the newcomer followed the room.
   */
  Admission admit(String roomId, String pipelineId, String name, MemberRecord member, int maxMembers);

  /** Members in join order. */
  Map<String, MemberRecord> members(String roomId);

  Optional<MemberRecord> member(String roomId, String name);

  /**
   * Replaces a member's record with {@code next}, atomically, if the one stored is the same
   * membership ({@code next.id()}), names {@code expectedPod} and has {@code expectedPublisher};
   * false when it does not (it left, another pod took it over, or its room's media was rebuilt).
   */
  boolean replaceMember(String roomId, String name, String expectedPod, String expectedPublisher, MemberRecord next);

  /**
   * What a removal did: how many members are left, and the record it removed as it was at that
   * moment (a rebuild of the room's media may have re-pointed it since its pod last read it).
   */
  /** @param sequence the leave's presence sequence number, taken in the same step as the removal */
  record Removal(long left, MemberRecord removed, long sequence) {

    /** Nothing removed: the record was another membership, another pod's, or not there. */
    public static final Removal NONE = new Removal(-1, null, 0);

    public boolean done() {
      return removed != null;
    }
  }

  /**
   * Removes a member, atomically, if the stored record is membership {@code memberId} served by
   * {@code expectedPod}; {@link Removal#NONE} when it was not removed.
   */
  Removal removeMember(String roomId, String name, String memberId, String expectedPod);

  /**
   * Removes a member whose resume wait ended: only if the stored record is membership
   * {@code memberId}, parked, and parked until no later than {@code nowMillis};
   * {@link Removal#NONE} when it was not removed (it resumed, or someone else removed it).
   */
  Removal removeExpiredMember(String roomId, String name, String memberId, long nowMillis);

  /**
   * Makes {@code who} ({@code memberId + " " + name}) the room's presenter (broadcast rooms), if
   * nobody else is; true when {@code who} is the presenter now.
   */
  boolean claimPresenter(String roomId, String who);

  /** The room's presenter ({@code memberId + " " + name}), if any. */
  Optional<String> presenter(String roomId);

  /** Ends {@code who}'s presenting, if it is the presenter; true when it was. */
  boolean releasePresenter(String roomId, String who);

  /** Deletes the room when it has no members; true when it did. */
  boolean deleteIfEmpty(String roomId);

  /** Who a resume token belongs to: the room's id, the participant, and the room's name as typed. */
  record SessionRecord(String roomId, String name, String roomName) {}

  /** Remembers a session under the hash of its token (never the token itself), for {@code ttl}. */
  void saveSession(String tokenHash, SessionRecord session, java.time.Duration ttl);

  Optional<SessionRecord> session(String tokenHash);

  void deleteSession(String tokenHash);
}
