package io.switchboard.presence;

/** An event this contract cannot read: undecodable, an unknown type, data that is not the schema's. */
public final class PoisonEventException extends RuntimeException {

  public PoisonEventException(String message) {
    super(message);
  }

  public PoisonEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
