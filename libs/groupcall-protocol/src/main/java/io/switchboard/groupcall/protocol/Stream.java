package io.switchboard.groupcall.protocol;

import java.util.Locale;

/** Which of a participant's published streams a message is about. */
public enum Stream {
  /** The camera and microphone stream every participant publishes (the tutorial's only one). */
  WEBCAM,
  /** A screen share, published with publishScreen. */
  SCREEN;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
