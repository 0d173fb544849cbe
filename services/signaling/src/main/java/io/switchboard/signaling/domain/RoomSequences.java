package io.switchboard.signaling.domain;

/** Per-room sequence numbers for presence events, shared by every signaling pod (Redis, in production). */
public interface RoomSequences {

  /** The room's next number: 1, 2, 3 … across pods, never repeated. */
  long next(String roomId);
}
