package io.switchboard.placement.domain;

/** How much a room is expected to cost a node, in endpoints. */
public final class RoomLoad {

  public static final int MAX_PARTICIPANTS = 1000;

  private RoomLoad() {}

  /**
   * In a group room each of n participants publishes one stream and receives the n-1 others, so
   * the room needs n + n(n-1) = n² endpoints.
   */
  public static int expectedEndpoints(int participants) {
    if (participants < 1 || participants > MAX_PARTICIPANTS) {
      throw new IllegalArgumentException("expectedParticipants must be between 1 and " + MAX_PARTICIPANTS);
    }
    return participants * participants;
  }
}
