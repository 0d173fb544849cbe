package io.switchboard.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.api.sync.RedisCommands;

/** A look at what signaling keeps in Redis (docs/operations.md names the keys). */
final class SignalingState {

  private SignalingState() {}

  /** A member's record: id, pod, session, publisher, publishing, subscriptions, …, parkedUntil. */
  static JsonNode member(RedisCommands<String, String> redis, String room, String name) {
    String json = redis.hget("sb:{room:" + room + "}:members", name);
    assertThat(json).as("member %s of room %s", name, room).isNotNull();
    try {
      return BrowserSocket.JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean isMember(RedisCommands<String, String> redis, String room, String name) {
    return redis.hexists("sb:{room:" + room + "}:members", name);
  }
}
