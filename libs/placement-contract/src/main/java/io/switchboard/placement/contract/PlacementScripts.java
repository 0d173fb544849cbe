package io.switchboard.placement.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Lua shared by every script that writes placement keys. */
public final class PlacementScripts {

  /**
   * Defines {@code refreshCandidate(prefix, nodeId)}, which rebuilds a node's entry of the {@link
   * PlacementKeys#candidates()} index; prepended to every placement script.
   */
  public static final String PRELUDE = resource("/redis/candidates.lua");

  private PlacementScripts() {}

  /** The prelude and a script body, as one script. */
  public static String withPrelude(String body) {
    return PRELUDE + "\n" + body;
  }

  public static String resource(String path) {
    try (InputStream in = PlacementScripts.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
