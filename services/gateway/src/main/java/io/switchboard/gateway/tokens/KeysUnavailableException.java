package io.switchboard.gateway.tokens;

/** The keys that verify join tokens (a JWKS) cannot be fetched now: not the token's fault; retry. */
public final class KeysUnavailableException extends RuntimeException {

  public KeysUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
