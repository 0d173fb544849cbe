package io.switchboard.signaling.domain;

/** What the group call tells the outside about itself (meters, in production). */
public interface CallObserver {

  /** A participant resumed; {@code elsewhere} when it was served by another pod before. */
  default void resumed(boolean elsewhere) {}

  /** A participant who did not resume in time was removed (by whichever pod got to it). */
  default void expired() {}

  /** This pod found a pod whose heartbeat lapsed and parked its {@code members}. */
  default void adoptedDeadPod(int members) {}

  /** This pod rebuilt a room on a new KMS node after its node was lost. */
  default void roomRebuilt() {}

  /** A ghost was swept: a room left open with nobody in it, or a placement without a room. */
  default void ghostRoomSwept() {}

  /** A browser ICE candidate was kept from KMS ({@link CandidateFilter}): {@code reason} says why. */
  default void candidateDropped(String reason) {}

  CallObserver NONE = new CallObserver() {};
}
