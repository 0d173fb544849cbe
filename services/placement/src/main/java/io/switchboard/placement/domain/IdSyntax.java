package io.switchboard.placement.domain;

import java.util.regex.Pattern;

/**
 * The syntax of the room and node ids placement accepts: what may appear in URLs and Redis keys.
 * (Signaling's {@code RoomIds} derives such an id from the name a person typed.)
 */
public final class IdSyntax {

  /** Unreserved URL characters, but not only dots ("." and ".." are path segments). */
  private static final Pattern VALID = Pattern.compile("(?!\\.+$)[A-Za-z0-9._~-]{1,128}");

  private IdSyntax() {}

  public static boolean valid(String id) {
    return id != null && VALID.matcher(id).matches();
  }
}
