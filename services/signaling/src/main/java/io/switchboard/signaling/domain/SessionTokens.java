package io.switchboard.signaling.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Resume tokens: handed to a client at join, and kept in the store only as their hash. */
final class SessionTokens {

  /**
   * DRBG (NIST SP 800-90Ar1), seeded once from the system's entropy: strong, and unlike the
   * default {@code NativePRNG} it does not read {@code /dev/urandom} under a JDK-wide lock on each
   * draw — a burst of joins queued there.
   */
  private static final SecureRandom RANDOM = drbg();

  private SessionTokens() {}

  /** A new token: 32 random bytes, base64url. */
  static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static SecureRandom drbg() {
    try {
      SecureRandom drbg = SecureRandom.getInstance("DRBG");
      drbg.nextBytes(new byte[1]); // seeded now, not in a join with others waiting
      return drbg;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no DRBG SecureRandom", e);
    }
  }

  /** The token's SHA-256, hex: a read of Redis does not hand out sessions. */
  static String hash(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
