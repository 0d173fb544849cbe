package io.switchboard.groupcall.protocol;

import java.util.Locale;

/**
 * What a join token allows its holder to do in its room; lower case in tokens and headers. The
 * gateway reads them from tokens; the signaling pods enforce them.
 */
public enum Grant {
  /** Send one's camera and microphone, and share a screen. */
  PUBLISH,
  /** Receive the others' media. */
  SUBSCRIBE,
  /** Record one's own media. */
  RECORD,
  /** Be the room's broadcast presenter. */
  PRESENTER,
  /** Everything above, in any room (the token's room claim may be {@code *}). */
  ADMIN;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Grant of(String wire) {
    for (Grant g : values()) {
      if (g.wire().equals(wire)) {
        return g;
      }
    }
    throw new IllegalArgumentException("unknown grant '" + wire + "' (publish, subscribe, record, presenter, admin)");
  }
}
