package io.switchboard.signaling.domain;

import java.util.function.Consumer;

/**
 * One pod's {@link RoomEvents} on a {@link RoomEventBus} ({@link RoomEventBus#forPod}): this pod
 * follows rooms for itself (one listener per room, a second follow replacing the first), and
 * hears its own events as every other pod's.
 */
public final class InMemoryRoomEvents implements RoomEvents {

  private final RoomEventBus bus;

  InMemoryRoomEvents(RoomEventBus bus) {
    this.bus = bus;
  }

  /** Active when it returns: this pod hears every event of the room published after. */
  @Override
  public void follow(String roomId, Consumer<RoomEvent> listener) {
    bus.follow(this, roomId, listener);
  }

  /** Events published after it returns are not delivered here (those queued before still are). */
  @Override
  public void unfollow(String roomId) {
    bus.unfollow(this, roomId);
  }

  @Override
  public void publish(String roomId, RoomEvent event) {
    bus.publish(roomId, event);
  }

  /** Whether this pod follows the room now. */
  public boolean follows(String roomId) {
    return bus.follows(this, roomId);
  }
}
