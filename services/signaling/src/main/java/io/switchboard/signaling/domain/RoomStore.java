package io.switchboard.signaling.domain;

import java.util.Map;
import java.util.Optional;

/** What continues a room across pods: its media location and members (Redis, in production). */
public interface RoomStore {

  /** A room's KMS node and pipeline. */
  record RoomRecord(String nodeId, String kmsUrl, String pipelineId) {}

  /** A member as every pod sees it. */
  record MemberRecord(String pod, String publisherEndpoint, boolean audio, boolean video, long joinedAt) {}

  Optional<RoomRecord> room(String roomId);

  /** Takes the right to create the room's pipeline; only one caller at a time holds it. */
  boolean lockRoom(String roomId, String owner);

  void unlockRoom(String roomId, String owner);

  void saveRoom(String roomId, RoomRecord room);

  /** What {@link #addMember} did. */
  enum Added {
    ADDED,
    /** Someone in the room already has the name. */
    NAME_TAKEN,
    /** The room closed (or closed and reopened with another pipeline) since it was read. */
    ROOM_GONE
  }

  /**
   * Adds a member, atomically, if the room is still the one on {@code pipelineId} and the name is
   * free. Checking the room and adding the member in one step is what keeps a join on one pod
   * from adding a member to a room another pod is closing.
   */
  Added addMember(String roomId, String pipelineId, String name, MemberRecord member);

  /** Members in join order. */
  Map<String, MemberRecord> members(String roomId);

  /** Removes a member; returns how many are left. */
  long removeMember(String roomId, String name);

  /** Deletes the room when it has no members; true when it did. */
  boolean deleteIfEmpty(String roomId);

  /** Who a resume token belongs to. */
  record SessionRecord(String roomId, String name) {}

  /** Remembers a session under the hash of its token (never the token itself), for {@code ttl}. */
  void saveSession(String tokenHash, SessionRecord session, java.time.Duration ttl);

  Optional<SessionRecord> session(String tokenHash);

  void deleteSession(String tokenHash);
}
