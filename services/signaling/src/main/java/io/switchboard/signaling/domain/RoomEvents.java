package io.switchboard.signaling.domain;

import java.util.function.Consumer;

/**
 * Room events between pods: a room's participants may be spread over several signaling pods, and
 * each pod tells its own participants what happened in the room (Redis pub/sub, in production).
 * A pod receives its own events too: that is how its participants hear of them.
 */
public interface RoomEvents {

  /**
   * An event of a room about one member (or, for REBUILT, the whole room).
   *
   * @param name the member it is about (for CHAT: who wrote)
   * @param memberId its membership (a rejoin under the same name is another)
   * @param pod the pod that serves the member after the event (for REBUILT: the rebuilder)
   * @param audio,video the member's media state (JOINED, MEDIA)
   * @param text a chat message's text
   * @param to a direct chat message's addressee, or null
   * @param ts a chat message's time (epoch ms)
   * @param published for SCREEN: whether the member now shares a screen
   */
  record RoomEvent(Type type, String name, String memberId, String pod, boolean audio, boolean video, String text,
      String to, long ts, boolean published) {

    public enum Type {
      JOINED,
      LEFT,
      /** The member resumed on {@code pod}: any other pod serving it lets it go. */
      MOVED,
      /** The room's media was rebuilt on another node: every pod tells its participants to renegotiate. */
      REBUILT,
      /** The member muted or unmuted. */
      MEDIA,
      /** The member wrote in the chat. */
      CHAT,
      /** The member started or stopped sharing a screen. */
      SCREEN,
      /** The member started presenting in a broadcast ({@code published}) or stopped. */
      PRESENTER,
      /** The member's camera is being recorded ({@code published}) or no longer; {@code text}: the URI. */
      RECORDING
    }

    public static RoomEvent joined(String name, String memberId, String pod, boolean audio, boolean video) {
      return new RoomEvent(Type.JOINED, name, memberId, pod, audio, video, null, null, 0, false);
    }

    public static RoomEvent left(String name, String memberId, String pod) {
      return new RoomEvent(Type.LEFT, name, memberId, pod, false, false, null, null, 0, false);
    }

    public static RoomEvent moved(String name, String memberId, String pod) {
      return new RoomEvent(Type.MOVED, name, memberId, pod, false, false, null, null, 0, false);
    }

    public static RoomEvent rebuilt(String pod) {
      return new RoomEvent(Type.REBUILT, "", "", pod, false, false, null, null, 0, false);
    }

    public static RoomEvent media(String name, String memberId, String pod, boolean audio, boolean video) {
      return new RoomEvent(Type.MEDIA, name, memberId, pod, audio, video, null, null, 0, false);
    }

    public static RoomEvent chat(String from, String memberId, String pod, String text, String to, long ts) {
      return new RoomEvent(Type.CHAT, from, memberId, pod, false, false, text, to, ts, false);
    }

    public static RoomEvent screen(String name, String memberId, String pod, boolean published) {
      return new RoomEvent(Type.SCREEN, name, memberId, pod, false, false, null, null, 0, published);
    }

    public static RoomEvent recording(String name, String memberId, String pod, boolean started, String uri) {
      return new RoomEvent(Type.RECORDING, name, memberId, pod, false, false, uri, null, 0, started);
    }

    public static RoomEvent presenter(String name, String memberId, String pod, boolean presenting) {
      return new RoomEvent(Type.PRESENTER, name, memberId, pod, false, false, null, null, 0, presenting);
    }
  }

  /** Starts delivering a room's events to {@code listener}; returns once delivery is active. */
  void follow(String roomId, Consumer<RoomEvent> listener);

  void unfollow(String roomId);

  void publish(String roomId, RoomEvent event);
}
