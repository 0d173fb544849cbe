package io.switchboard.signaling.domain;

import java.util.function.Consumer;

/**
 * Room events between pods: a room's participants may be spread over several signaling pods, and
 * each pod tells its own participants what happened in the room (Redis pub/sub, in production).
 * A pod hears its own events too (at once, without waiting for them to come back from Redis):
 * that is how its participants hear of them.
 */
public interface RoomEvents {

  /** Something that happened in a room; {@code pod} is the pod that published it. */
  sealed interface RoomEvent permits MemberEvent, Rebuilt {
    String pod();
  }

  /**
   * An event about one member of the room.
   *
   * <p>{@code name} is the member it is about, {@code memberId} its membership (a rejoin under the
   * same name is another).
   */
  sealed interface MemberEvent extends RoomEvent
      permits Joined, Left, Moved, MediaChanged, ChatSent, ScreenShared, PresenterChanged, RecordingChanged {
    String name();

    String memberId();
  }

  /** The member joined, with its media state. */
  record Joined(String name, String memberId, String pod, boolean audio, boolean video) implements MemberEvent {}

  /** The member left (or did not resume in time); every pod releases what its participants received of it. */
  record Left(String name, String memberId, String pod) implements MemberEvent {}

  /** The member resumed on {@code pod}: any other pod serving it lets it go. */
  record Moved(String name, String memberId, String pod) implements MemberEvent {}

  /** The member muted or unmuted. */
  record MediaChanged(String name, String memberId, String pod, boolean audio, boolean video) implements MemberEvent {}

  /** The member ({@code name}) wrote in the chat: to the room, or to {@code to} only; {@code ts} epoch ms. */
  record ChatSent(String name, String memberId, String pod, String text, String to, long ts) implements MemberEvent {}

  /** The member started ({@code shared}) or stopped sharing a screen. */
  record ScreenShared(String name, String memberId, String pod, boolean shared) implements MemberEvent {}

  /** The member started presenting in a broadcast ({@code presenting}) or stopped. */
  record PresenterChanged(String name, String memberId, String pod, boolean presenting) implements MemberEvent {}

  /**
   * The member's camera is being recorded ({@code recording}) or no longer, as recording {@code
   * recordingId} (the file's name, not its URI).
   */
  record RecordingChanged(String name, String memberId, String pod, boolean recording, String recordingId)
      implements MemberEvent {}

  /** The room's media was rebuilt on another node by {@code pod}: every pod tells its participants to renegotiate. */
  record Rebuilt(String pod) implements RoomEvent {}

  /**
   * Opens, ahead of the first {@link #follow}, what following rooms needs: otherwise the joins of
   * a pod's first burst wait in line for it. Best effort: what cannot be opened now is on first use.
   */
  default void prepare() {}

  /** Starts delivering a room's events to {@code listener}; returns once delivery is active. */
  void follow(String roomId, Consumer<RoomEvent> listener);

  void unfollow(String roomId);

  void publish(String roomId, RoomEvent event);
}
