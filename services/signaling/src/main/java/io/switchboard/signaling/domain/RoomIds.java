package io.switchboard.signaling.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The id a room is kept under — Redis keys, placement, logs, recording paths — derived from the
 * name people typed. A name that is already a safe id is its own id (so ids stay readable);
 * any other ("Team Standup #2") becomes {@code ~} and 40 hex digits of its SHA-256. Safe ids never
 * start with {@code ~} or a dot, so the two kinds never meet.
 */
public final class RoomIds {

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._~-]{0,63}");

  private RoomIds() {}

  public static String of(String name) {
    if (SAFE.matcher(name).matches()) {
      return name;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return "~" + HexFormat.of().formatHex(digest).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
