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

  /** Adds a member unless the name is taken; atomic. */
  boolean addMember(String roomId, String name, MemberRecord member);

  /** Members in join order. */
  Map<String, MemberRecord> members(String roomId);

  /** Removes a member; returns how many are left. */
  long removeMember(String roomId, String name);

  /** Deletes the room when it has no members; true when it did. */
  boolean deleteIfEmpty(String roomId);
}
