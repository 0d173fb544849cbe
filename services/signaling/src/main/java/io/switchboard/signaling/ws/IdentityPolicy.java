package io.switchboard.signaling.ws;

import io.switchboard.groupcall.protocol.IdentityHeaders;
import io.switchboard.signaling.domain.Access;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpHeaders;

/**
 * Whom a pod serves, from {@code switchboard.signaling.identity-secret} and
 * {@code switchboard.signaling.require-identity}. Secure by default:
 * <ul>
 *   <li>{@link Mode#SIGNED} (an identity secret is set): only what the gateway signed counts
 *       ({@link IdentityHeaders#ASSERTION}), whatever {@code require-identity} says; a socket without
 *       a valid assertion is refused. An assertion the gateway made in open mode (no join token)
 *       admits anyone, unless {@code require-identity=true} asks for a token.
 *   <li>{@link Mode#OPEN} (no secret, {@code require-identity=false} set explicitly): every socket
 *       is served; the plain {@code X-Switchboard-*} headers, when a gateway sets them, narrow it.
 *       For development and tests that talk to pods directly: the pod says so loudly at startup.
 *   <li>{@link Mode#CLOSED} (neither): no identity can be verified, so no socket is served.
 * </ul>
 */
public final class IdentityPolicy {

  public enum Mode { SIGNED, OPEN, CLOSED }

  /**
   * Who a socket is, or why it is refused (exactly one of access and refusal is set); {@code
   * client}: its address as the gateway said it, or null (then the socket's own peer counts).
   */
  public record Admission(Access access, String client, String refusal) {
    static Admission of(Access access, String client) {
      return new Admission(access, client, null);
    }

    static Admission refused(String why) {
      return new Admission(null, null, why);
    }

    /**
     * Whose rooms a room this socket opens counts towards: its identity when it has one, else its
     * client address ({@code peer} when nobody said it), or null (not counted).
     */
    public String opener(String peer) {
      if (access == null) {
        return null;
      }
      if (access.restricted()) {
        return "identity:" + access.identity();
      }
      String address = client != null && !client.isBlank() ? client : peer;
      return address == null ? null : "address:" + address;
    }
  }

  static final String NO_ASSERTION = "this pod serves only sockets the gateway admitted: connect through the gateway";
  static final String BAD_ASSERTION = "the gateway's identity assertion is invalid or expired: connect through the gateway again";
  static final String TOKEN_REQUIRED = "connect through the gateway with a join token";
  static final String INCOMPLETE_HEADERS = "incomplete identity headers";
  static final String CLOSED = "this pod serves no socket: it has no switchboard.signaling.identity-secret to verify"
      + " the gateway's identities and is not in open mode (switchboard.signaling.require-identity=false)";

  private final Mode mode;
  private final boolean tokenRequired;
  private final IdentityVerifier verifier;

  private IdentityPolicy(Mode mode, boolean tokenRequired, IdentityVerifier verifier) {
    this.mode = mode;
    this.tokenRequired = tokenRequired;
    this.verifier = verifier;
  }

  /**
   * @param requireIdentity {@code switchboard.signaling.require-identity}: null when not set
   * @param identitySecret {@code switchboard.signaling.identity-secret}: empty when not set
   */
  public static IdentityPolicy of(Boolean requireIdentity, String identitySecret) {
    if (identitySecret != null && !identitySecret.isEmpty()) {
      return new IdentityPolicy(Mode.SIGNED, Boolean.TRUE.equals(requireIdentity), new IdentityVerifier(identitySecret));
    }
    return new IdentityPolicy(Boolean.FALSE.equals(requireIdentity) ? Mode.OPEN : Mode.CLOSED, false, null);
  }

  public Mode mode() {
    return mode;
  }

  /** What the pod says about its mode at startup (a warning in open or closed mode, else null). */
  public String startupWarning() {
    return switch (mode) {
      case OPEN -> "OPEN MODE: this pod serves every socket that reaches it, with full access"
          + " (switchboard.signaling.require-identity=false and no identity secret). For development and"
          + " tests only: in production set switchboard.signaling.identity-secret (shared with the gateway) and"
          + " let only the gateway reach the pods.";
      case CLOSED -> CLOSED + ". Set switchboard.signaling.identity-secret (the gateway's"
          + " switchboard.gateway.identity-secret), or require-identity=false for development.";
      case SIGNED -> null;
    };
  }

  /** Whom this handshake is from, or why it is refused. */
  public Admission admit(HttpHeaders headers) {
    return switch (mode) {
      case CLOSED -> Admission.refused(CLOSED);
      case SIGNED -> signed(headers.getFirst(IdentityHeaders.ASSERTION));
      case OPEN -> plain(headers);
    };
  }

  private Admission signed(String assertion) {
    // Only what the gateway signed counts; the plain headers are for logs and humans.
    if (assertion == null || assertion.isEmpty()) {
      return Admission.refused(NO_ASSERTION);
    }
    IdentityVerifier.Verified verified = verifier.verify(assertion);
    if (verified == null) {
      return Admission.refused(BAD_ASSERTION);
    }
    if (tokenRequired && !verified.access().restricted()) {
      return Admission.refused(TOKEN_REQUIRED);
    }
    return Admission.of(verified.access(), verified.client());
  }

  private static Admission plain(HttpHeaders headers) {
    String identity = headers.getFirst(IdentityHeaders.IDENTITY);
    String room = headers.getFirst(IdentityHeaders.ROOM);
    String grants = headers.getFirst(IdentityHeaders.GRANTS);
    if (identity == null) {
      // The gateway sets all three or none: a room or grants without an identity means the
      // identity was removed on the way (a client naming it in Connection, say), not "anyone".
      return room == null && grants == null ? Admission.of(Access.ANYONE, headers.getFirst(IdentityHeaders.CLIENT))
          : Admission.refused(INCOMPLETE_HEADERS);
    }
    return Admission.of(new Access(decode(identity), room == null ? "" : decode(room), Access.parseGrants(grants)),
        headers.getFirst(IdentityHeaders.CLIENT));
  }

  private static String decode(String value) {
    try {
      return URLDecoder.decode(value, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return value; // not percent-encoded: compared as it is
    }
  }
}
