package io.switchboard.signaling.domain;

import io.switchboard.presence.PresenceEvent;

/**
 * Presence for the rest of a product (who is in which call, muted or not): events sent, in order,
 * to Kafka (docs/events.md). Never on the critical path: publishing queues the event and returns.
 */
public interface PresenceFeed {

  /** Queues an event to be sent in publishing order; never blocks, never throws. */
  void publish(PresenceEvent event);

  PresenceFeed NONE = event -> {};
}
