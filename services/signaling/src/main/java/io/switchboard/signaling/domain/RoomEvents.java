package io.switchboard.signaling.domain;

import java.util.function.Consumer;

/**
 * Room events between pods: a room's participants may be spread over several signaling pods, and
 * each pod tells its own participants what happened in the room (Redis pub/sub, in production).
 * A pod receives its own events too: that is how its participants hear of them.
 */
public interface RoomEvents {

  /** An event of a room: someone joined or left. */
  record RoomEvent(Type type, String name, boolean audio, boolean video) {
    public enum Type {
      JOINED,
      LEFT
    }
  }

  /** Starts delivering a room's events to {@code listener}; returns once delivery is active. */
  void follow(String roomId, Consumer<RoomEvent> listener);

  void unfollow(String roomId);

  void publish(String roomId, RoomEvent event);
}
