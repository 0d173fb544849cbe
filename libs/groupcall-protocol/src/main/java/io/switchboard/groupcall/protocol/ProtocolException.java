package io.switchboard.groupcall.protocol;

/** A message refused at the edge; becomes an {@code error} message on the same socket. */
public final class ProtocolException extends RuntimeException {

  private final ErrorCode code;
  private final String requestId;

  public ProtocolException(ErrorCode code, String message, String requestId) {
    super(message, null, false, false);
    this.code = code;
    this.requestId = requestId;
  }

  public ErrorCode code() {
    return code;
  }

  /** The {@code requestId} of the refused message, when it had a readable one. */
  public String requestId() {
    return requestId;
  }

  public ServerMessage.Error toMessage() {
    return new ServerMessage.Error(code.wire(), getMessage(), requestId);
  }
}
