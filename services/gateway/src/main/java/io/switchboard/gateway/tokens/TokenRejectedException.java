package io.switchboard.gateway.tokens;

/** A join token that is missing, malformed, forged, expired or grants nothing; the message says which. */
public final class TokenRejectedException extends RuntimeException {

  public TokenRejectedException(String message) {
    super(message, null, false, false);
  }
}
