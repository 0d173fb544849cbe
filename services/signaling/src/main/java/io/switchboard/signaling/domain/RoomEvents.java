package io.switchboard.signaling.domain;

import java.util.function.Consumer;

/**
 * Room events between pods: a room's participants may be spread over several signaling pods, and
 * each pod tells its own participants what happened in the room (Redis pub/sub, in production).
 * A pod receives its own events too: that is how its participants hear of them.
 */
public interface RoomEvents {

  /**
   * An event of a room about one member.
   *
   * @param memberId the membership it is about (a rejoin under the same name is another)
   * @param pod the pod that serves the member after the event
   */
  record RoomEvent(Type type, String name, String memberId, String pod, boolean audio, boolean video) {
    public enum Type {
      JOINED,
      LEFT,
      /** The member resumed on {@code pod}: any other pod serving it lets it go. */
      MOVED,
      /**
       * The room's media was rebuilt on another node (name and member id empty): every pod tells
       * its participants to renegotiate.
       */
      REBUILT
    }
  }

  /** Starts delivering a room's events to {@code listener}; returns once delivery is active. */
  void follow(String roomId, Consumer<RoomEvent> listener);

  void unfollow(String roomId);

  void publish(String roomId, RoomEvent event);
}
