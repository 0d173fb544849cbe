package io.switchboard.loadgen.client;

import io.switchboard.groupcall.protocol.IceCandidate;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a browser's group-call client sends, as JSON text frames (docs/protocol.md). Every message
 * carries a {@code requestId}, so an {@code error} about it names the request it refuses.
 */
public final class Frames {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Frames() {}

  public static String joinRoom(String name, String room, String requestId) {
    return message("joinRoom", requestId).put("name", name).put("room", room).toString();
  }

  /** Publishes one's camera ({@code sender} = oneself) or receives {@code sender}'s. */
  public static String receiveVideoFrom(String sender, String sdpOffer, String requestId) {
    return message("receiveVideoFrom", requestId).put("sender", sender).put("sdpOffer", sdpOffer).toString();
  }

  /** A browser candidate for the peer connection that publishes ({@code name} = oneself) or receives {@code name}. */
  public static String onIceCandidate(String name, IceCandidate candidate, String requestId) {
    ObjectNode m = message("onIceCandidate", requestId).put("name", name);
    m.putObject("candidate")
        .put("candidate", candidate.candidate())
        .put("sdpMid", candidate.sdpMid())
        .put("sdpMLineIndex", candidate.sdpMLineIndex());
    return m.toString();
  }

  public static String leaveRoom(String requestId) {
    return message("leaveRoom", requestId).toString();
  }

  public static String resume(String token, String requestId) {
    return message("resume", requestId).put("token", token).toString();
  }

  private static ObjectNode message(String id, String requestId) {
    return JSON.objectNode().put("id", id).put("requestId", requestId);
  }
}
