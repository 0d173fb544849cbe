package io.switchboard.gateway.routing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToIntFunction;

/**
 * Which signaling pod a new socket goes to, in order: the room's pod by rendezvous hashing when the
 * room is known (its participants share a pod; losing a pod moves only the rooms it had); else the
 * pod the sticky cookie names, while it is still ready; else the pod with the fewest open sockets.
 * Only an optimisation: any pod serves any room.
 */
public final class PodChoice {

  public enum Reason {
    AFFINITY, STICKY, LEAST_LOADED;

    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** The decision: a pod (by key) and why. */
  public record Decision(String pod, Reason reason) {}

  private PodChoice() {}

  /**
   * @param pods the ready pods' keys (host:port), never empty
   * @param room the room the socket is for, or null
   * @param stickyToken the sticky cookie's value, or null
   * @param openSockets this gateway's open sockets per pod key
   */
  public static Decision choose(List<String> pods, String room, String stickyToken, ToIntFunction<String> openSockets) {
    if (pods.isEmpty()) {
      throw new IllegalArgumentException("no pods to choose from");
    }
    if (room != null && !room.isEmpty()) {
      return new Decision(rendezvous(pods, room), Reason.AFFINITY);
    }
    if (stickyToken != null) {
      for (String pod : pods) {
        if (stickyToken.equals(token(pod))) {
          return new Decision(pod, Reason.STICKY);
        }
      }
    }
    return new Decision(leastLoaded(pods, openSockets), Reason.LEAST_LOADED);
  }

  /** Highest random weight: the pod whose hash with the room scores highest. */
  public static String rendezvous(List<String> pods, String room) {
    String best = null;
    long bestScore = 0;
    for (String pod : pods) {
      long score = hash64(room + '\n' + pod);
      if (best == null || Long.compareUnsigned(score, bestScore) > 0
          || (score == bestScore && pod.compareTo(best) < 0)) {
        best = pod;
        bestScore = score;
      }
    }
    return best;
  }

  /** Fewest open sockets; ties broken at random so a burst spreads before the counts move. */
  static String leastLoaded(List<String> pods, ToIntFunction<String> openSockets) {
    int fewest = Integer.MAX_VALUE;
    int ties = 0;
    String chosen = null;
    for (String pod : pods) {
      int open = openSockets.applyAsInt(pod);
      if (open < fewest) {
        fewest = open;
        chosen = pod;
        ties = 1;
      } else if (open == fewest && ThreadLocalRandom.current().nextInt(++ties) == 0) {
        chosen = pod;
      }
    }
    return chosen;
  }

  /** The sticky cookie's value for a pod: opaque (pod addresses are not shown to clients). */
  public static String token(String pod) {
    return HexFormat.of().formatHex(sha256(pod), 0, 8);
  }

  private static long hash64(String text) {
    byte[] digest = sha256(text);
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (digest[i] & 0xff);
    }
    return h;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
