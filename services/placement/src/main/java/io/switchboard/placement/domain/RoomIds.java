package io.switchboard.placement.domain;

import java.util.regex.Pattern;

/** Room and node ids: what may appear in URLs and Redis keys. */
public final class RoomIds {

  /** Unreserved URL characters, but not only dots ("." and ".." are path segments). */
  private static final Pattern VALID = Pattern.compile("(?!\\.+$)[A-Za-z0-9._~-]{1,128}");

  private RoomIds() {}

  public static boolean valid(String id) {
    return id != null && VALID.matcher(id).matches();
  }
}
