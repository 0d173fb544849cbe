package io.switchboard.groupcall.protocol;

import java.util.Locale;

/** The {@code code} of an {@code error} message: stable, machine-readable, kebab-case on the wire. */
public enum ErrorCode {
  /** The frame is not JSON. */
  INVALID_JSON,
  /** The frame is JSON, but not an object. */
  NOT_AN_OBJECT,
  /** The object has no string {@code id}. */
  MISSING_ID,
  /** No message has this {@code id}. */
  UNKNOWN_ID,
  /** A required field is absent. */
  MISSING_FIELD,
  /** A field has the wrong JSON type. */
  WRONG_TYPE,
  /** A field's value is out of range: characters, length, enum. */
  INVALID_VALUE,
  /** The message needs a joined participant. */
  NOT_JOINED,
  /** joinRoom on a socket that already joined. */
  ALREADY_JOINED,
  /** Someone in the room already has this name. */
  NAME_TAKEN,
  /** receiveVideoFrom / onIceCandidate for a participant not in this room. */
  UNKNOWN_SENDER,
  /** The SDP is not an offer this server can answer. */
  INVALID_SDP,
  /** A candidate or request for a stream the participant does not have. */
  UNKNOWN_STREAM,
  /** resume with a token that is unknown, expired or forged. */
  INVALID_TOKEN,
  /** The room's limits (capacity) or the participant's grants forbid this. */
  NOT_ALLOWED,
  /** The room has no capacity left. */
  ROOM_FULL,
  /**
   * Opening another room is refused: this identity, or this client address, has as many open
   * rooms (that its joins opened) as a pod allows; joining rooms that are open is not.
   */
  TOO_MANY_ROOMS,
  /** The server could not do it now (media server or store unavailable); retrying may work. */
  UNAVAILABLE,
  /** A bug: the server failed unexpectedly. Nothing was changed. */
  INTERNAL;

  /** The wire form, e.g. {@code unknown-id}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
