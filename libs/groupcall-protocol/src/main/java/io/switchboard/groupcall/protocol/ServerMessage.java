package io.switchboard.groupcall.protocol;

import java.util.List;

/**
 * Every message the server sends, encoded by {@link MessageEncoder}. The first five are the
 * Kurento group-call tutorial's, unchanged; added fields and new ids are Switchboard's extensions
 * (an old client ignores them).
 */
public sealed interface ServerMessage {

  /** A participant as join answers describe them: the tutorial's name, plus media state. */
  record ParticipantState(String name, boolean audio, boolean video, boolean screen) {}

  /** {@code existingParticipants {data: [names], participants: [state]}}: the answer to joinRoom. */
  record ExistingParticipants(List<ParticipantState> participants) implements ServerMessage {
    public ExistingParticipants {
      participants = List.copyOf(participants);
    }
  }

  /** {@code newParticipantArrived {name, audio?, video?}}. */
  record NewParticipantArrived(String name, boolean audio, boolean video) implements ServerMessage {}

  /** {@code participantLeft {name}}. */
  record ParticipantLeft(String name) implements ServerMessage {}

  /** {@code receiveVideoAnswer {name, sdpAnswer, stream?}}. */
  record ReceiveVideoAnswer(String name, String sdpAnswer, Stream stream) implements ServerMessage {}

  /** {@code iceCandidate {name, candidate, stream?}}: a KMS candidate for that endpoint. */
  record IceCandidateFound(String name, IceCandidate candidate, Stream stream) implements ServerMessage {}

  /** {@code participantMediaState {name, audio, video}}. */
  record ParticipantMediaState(String name, boolean audio, boolean video) implements ServerMessage {}

  /** {@code chatMessage {from, text, to?, ts}}. */
  record ChatMessage(String from, String text, String to, long ts) implements ServerMessage {}

  /** {@code screenPublished {name}} / {@code screenUnpublished {name}}. */
  record ScreenShare(String name, boolean published) implements ServerMessage {}

  /** {@code presenterResponse} / {@code viewerResponse {response, sdpAnswer | message}}. */
  record BroadcastResponse(boolean presenter, boolean accepted, String sdpAnswer, String message) implements ServerMessage {}

  /** {@code stopCommunication}: the presenter left a broadcast room. */
  record StopCommunication() implements ServerMessage {}

  /**
   * {@code recordingStarted {name, recording}} / {@code recordingStopped {name, recording}}: whose
   * camera is being recorded (everyone in the room is told), and the recording's id — the file's
   * name, never its storage URI, which may carry credentials.
   */
  record Recording(String name, boolean started, String recording) implements ServerMessage {}

  /** {@code session {token}}: what a client sends back in {@code resume} after a reconnect. */
  record Session(String token) implements ServerMessage {}

  /** {@code resumed {name, room}}. */
  record Resumed(String name, String room) implements ServerMessage {}

  /** {@code reconnect {reason}}: this pod is going away; reconnect and resume elsewhere. */
  record Reconnect(String reason) implements ServerMessage {}

  /**
   * {@code mediaMoved {reason}}: the room's media was rebuilt on another media server (its node
   * failed or was drained). Every peer connection of the client is dead: publish again
   * ({@code receiveVideoFrom} with one's own name and a new offer); each other participant is
   * announced again ({@code participantLeft} then {@code newParticipantArrived}), so subscribe anew.
   */
  record MediaMoved(String reason) implements ServerMessage {}

  /** {@code error {code, message, requestId?}}: a message was refused and changed nothing. */
  record Error(String code, String message, String requestId) implements ServerMessage {}
}
