package io.switchboard.groupcall.protocol;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Server messages to JSON text, field names as the tutorial's client reads them. */
public final class MessageEncoder {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private final JsonMapper mapper = JsonMapper.builder().build();

  public String encode(ServerMessage message) {
    return mapper.writeValueAsString(toJson(message));
  }

  ObjectNode toJson(ServerMessage message) {
    if (message instanceof ServerMessage.ExistingParticipants m) {
      ObjectNode o = id("existingParticipants");
      ArrayNode names = o.putArray("data");
      ArrayNode states = o.putArray("participants");
      for (ServerMessage.ParticipantState p : m.participants()) {
        names.add(p.name());
        states.addObject().put("name", p.name()).put("audio", p.audio()).put("video", p.video()).put("screen", p.screen());
      }
      return o;
    }
    if (message instanceof ServerMessage.NewParticipantArrived m) {
      return id("newParticipantArrived").put("name", m.name()).put("audio", m.audio()).put("video", m.video());
    }
    if (message instanceof ServerMessage.ParticipantLeft m) {
      return id("participantLeft").put("name", m.name());
    }
    if (message instanceof ServerMessage.ReceiveVideoAnswer m) {
      return withStream(id("receiveVideoAnswer").put("name", m.name()).put("sdpAnswer", m.sdpAnswer()), m.stream());
    }
    if (message instanceof ServerMessage.IceCandidateFound m) {
      ObjectNode o = id("iceCandidate").put("name", m.name());
      o.putObject("candidate")
          .put("candidate", m.candidate().candidate())
          .put("sdpMid", m.candidate().sdpMid())
          .put("sdpMLineIndex", m.candidate().sdpMLineIndex());
      return withStream(o, m.stream());
    }
    if (message instanceof ServerMessage.ParticipantMediaState m) {
      return id("participantMediaState").put("name", m.name()).put("audio", m.audio()).put("video", m.video());
    }
    if (message instanceof ServerMessage.ChatMessage m) {
      ObjectNode o = id("chatMessage").put("from", m.from()).put("text", m.text());
      if (m.to() != null) {
        o.put("to", m.to());
      }
      return o.put("ts", m.ts());
    }
    if (message instanceof ServerMessage.ScreenShare m) {
      return id(m.published() ? "screenPublished" : "screenUnpublished").put("name", m.name());
    }
    if (message instanceof ServerMessage.BroadcastResponse m) {
      ObjectNode o = id(m.presenter() ? "presenterResponse" : "viewerResponse")
          .put("response", m.accepted() ? "accepted" : "rejected");
      return m.accepted() ? o.put("sdpAnswer", m.sdpAnswer()) : o.put("message", m.message());
    }
    if (message instanceof ServerMessage.StopCommunication) {
      return id("stopCommunication");
    }
    if (message instanceof ServerMessage.Recording m) {
      return id(m.started() ? "recordingStarted" : "recordingStopped").put("name", m.name()).put("recording", m.recording());
    }
    if (message instanceof ServerMessage.Session m) {
      return id("session").put("token", m.token());
    }
    if (message instanceof ServerMessage.Resumed m) {
      return id("resumed").put("name", m.name()).put("room", m.room());
    }
    if (message instanceof ServerMessage.Reconnect m) {
      return id("reconnect").put("reason", m.reason());
    }
    if (message instanceof ServerMessage.MediaMoved m) {
      return id("mediaMoved").put("reason", m.reason());
    }
    ServerMessage.Error m = (ServerMessage.Error) message;
    ObjectNode o = id("error").put("code", m.code()).put("message", m.message());
    return m.requestId() == null ? o : o.put("requestId", m.requestId());
  }

  private static ObjectNode id(String id) {
    return JSON.objectNode().put("id", id);
  }

  private static ObjectNode withStream(ObjectNode o, Stream stream) {
    return stream == Stream.SCREEN ? o.put("stream", stream.wire()) : o;
  }
}
