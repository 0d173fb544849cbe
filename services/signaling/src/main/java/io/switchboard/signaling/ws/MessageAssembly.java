package io.switchboard.signaling.ws;

/**
 * One socket's incoming message put together from the pieces the container hands over, up to the
 * frame limit. The container reads each socket's text into a small buffer of its own (it would
 * otherwise allocate one as large as the limit for every socket, idle or not); only a message
 * that does not fit in one piece costs a buffer here, and only while it arrives.
 */
final class MessageAssembly {

  /** A message longer than the limit: the socket is closed with 1009, and nothing more read from it. */
  static final class TooBig extends Exception {
    TooBig(int limit) {
      super("message longer than " + limit + " characters", null, false, false);
    }
  }

  private final int limit;
  /** The pieces so far of a message still arriving; null between messages. */
  private StringBuilder pending;
  /** A message was too big: what still comes while the socket closes is ignored. */
  private boolean refused;

  MessageAssembly(int limit) {
    this.limit = limit;
  }

  /**
   * Adds a piece; returns the whole message once its last piece came, null while more are due
   * (and for anything after a message that was too big).
   *
   * @throws TooBig when the message grew past the limit (what came of it is dropped)
   */
  String add(String piece, boolean last) throws TooBig {
    if (refused) {
      return null;
    }
    long length = (pending == null ? 0 : pending.length()) + (long) piece.length();
    if (length > limit) {
      pending = null;
      refused = true;
      throw new TooBig(limit);
    }
    if (pending == null) {
      if (last) {
        return piece;
      }
      pending = new StringBuilder(Math.min(limit, 2 * piece.length()));
    }
    pending.append(piece);
    if (!last) {
      return null;
    }
    String whole = pending.toString();
    pending = null;
    return whole;
  }
}
