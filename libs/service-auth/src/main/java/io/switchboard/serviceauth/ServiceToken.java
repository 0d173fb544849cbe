package io.switchboard.serviceauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The one credential Switchboard's services present to each other ({@value #PROPERTY}): signaling
 * to placement, the gateway to placement and state, as {@code Authorization: Bearer <token>}; and
 * that placement and state require on their internal APIs ({@link ServiceTokenSecurity}). Compared
 * in constant time (SHA-256 digests of both, then {@link MessageDigest#isEqual}), so neither its
 * content nor its length leaks through timing.
 */
public final class ServiceToken {

  /** The key every service reads it from (environment: {@code SWITCHBOARD_SERVICE_TOKEN}). */
  public static final String PROPERTY = "switchboard.service-token";
  /** The shortest token accepted: it guards every internal API, so it must not be guessable. */
  public static final int MIN_LENGTH = 32;
  /** Not set: nothing is presented, and an API that requires it serves nobody. */
  public static final ServiceToken NONE = new ServiceToken("");

  private static final String BEARER = "Bearer ";

  private final String value;
  private final byte[] digest;

  private ServiceToken(String value) {
    this.value = value;
    this.digest = sha256(value);
  }

  /**
   * The token as configured; empty or null is {@link #NONE}.
   *
   * @throws IllegalArgumentException when it is shorter than {@link #MIN_LENGTH} or has characters
   *     a header cannot carry, with a message saying what to set
   */
  public static ServiceToken of(String value) {
    if (value == null || value.isEmpty()) {
      return NONE;
    }
    if (value.length() < MIN_LENGTH) {
      throw new IllegalArgumentException(PROPERTY + " must be at least " + MIN_LENGTH
          + " characters (e.g. openssl rand -hex 32), the same on every service");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new IllegalArgumentException(PROPERTY + " must be printable ASCII without spaces"
            + " (it travels in an Authorization header; e.g. openssl rand -hex 32)");
      }
    }
    return new ServiceToken(value);
  }

  /**
   * The token a service is configured with ({@value #PROPERTY}); when there is none, a warning
   * saying what does not work without it.
   */
  public static ServiceToken fromSettings(org.springframework.core.env.PropertyResolver settings, String withoutIt) {
    ServiceToken token = of(settings.getProperty(PROPERTY, ""));
    if (!token.configured()) {
      org.slf4j.LoggerFactory.getLogger(ServiceToken.class).warn("{} is not set: {}. Set the same token (at least {}"
          + " characters) on every service.", PROPERTY, withoutIt, MIN_LENGTH);
    }
    return token;
  }

  public boolean configured() {
    return !value.isEmpty();
  }

  /** The {@code Authorization} header value that presents it. */
  public String authorization() {
    if (!configured()) {
      throw new IllegalStateException(PROPERTY + " is not set");
    }
    return BEARER + value;
  }

  /** Whether an {@code Authorization} header presents this token (never true when none is set). */
  public boolean presentedIn(String authorization) {
    String presented = bearerOf(authorization);
    // Both digests are computed whatever happens, so a refusal takes as long as an acceptance.
    boolean equal = MessageDigest.isEqual(digest, sha256(presented == null ? "" : presented));
    return configured() && presented != null && equal;
  }

  /** The token of a {@code Bearer} header (scheme case-insensitive), or null when it is not one. */
  public static String bearerOf(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String token = authorization.substring(BEARER.length()).trim();
    return token.isEmpty() ? null : token;
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return configured() ? "ServiceToken[set]" : "ServiceToken[not set]";
  }
}
