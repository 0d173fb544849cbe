package io.switchboard.groupcall.protocol;

/**
 * Every message a browser may send, decoded once at the edge by {@link MessageDecoder}. The first
 * four are the Kurento group-call tutorial's, unchanged; the rest are Switchboard's extensions.
 * Each may carry a {@code requestId}, which errors about it echo.
 */
public sealed interface ClientMessage {

  String requestId();

  /** {@code joinRoom {name, room}}. */
  record JoinRoom(String name, String room, String requestId) implements ClientMessage {}

  /**
   * {@code receiveVideoFrom {sender, sdpOffer, stream?}}: publish (sender is oneself) or
   * subscribe to another participant's stream.
   */
  record ReceiveVideoFrom(String sender, String sdpOffer, Stream stream, String requestId) implements ClientMessage {}

  /** {@code onIceCandidate {name, candidate, stream?}}: a browser candidate for that endpoint. */
  record OnIceCandidate(String name, IceCandidate candidate, Stream stream, String requestId) implements ClientMessage {}

  /** {@code leaveRoom}. */
  record LeaveRoom(String requestId) implements ClientMessage {}

  /** {@code mediaState {audio, video}}: the sender muted or unmuted. */
  record MediaState(boolean audio, boolean video, String requestId) implements ClientMessage {}

  /** {@code chat {text, to?}}: to the room, or to one participant. */
  record Chat(String text, String to, String requestId) implements ClientMessage {}

  /** {@code publishScreen {sdpOffer}}. */
  record PublishScreen(String sdpOffer, String requestId) implements ClientMessage {}

  /** {@code unpublishScreen}. */
  record UnpublishScreen(String requestId) implements ClientMessage {}

  /** {@code presenter {sdpOffer}}: broadcast rooms (Kurento's one2many tutorial). */
  record Presenter(String sdpOffer, String requestId) implements ClientMessage {}

  /** {@code viewer {sdpOffer}}. */
  record Viewer(String sdpOffer, String requestId) implements ClientMessage {}

  /** {@code stop}: end one's presenter or viewer session. */
  record Stop(String requestId) implements ClientMessage {}

  /** {@code startRecording}. */
  record StartRecording(String requestId) implements ClientMessage {}

  /** {@code stopRecording}. */
  record StopRecording(String requestId) implements ClientMessage {}

  /** {@code resume {token}}: a reconnecting client takes its place again, with no renegotiation. */
  record Resume(String token, String requestId) implements ClientMessage {}
}
