package io.switchboard.gateway.edge;

import org.springframework.http.HttpStatus;

/**
 * Why the gateway turned a client away. A WebSocket upgrade is accepted and then closed with
 * {@code closeCode} after one {@code error} message (browsers show neither an HTTP status nor a
 * body of a failed upgrade, but do show a close code and reason); plain HTTP gets {@code status}
 * with a problem-JSON body.
 */
public enum Refusal {
  ORIGIN("origin", "not-allowed", 4403, HttpStatus.FORBIDDEN),
  RATE("rate", "rate-limited", 4429, HttpStatus.TOO_MANY_REQUESTS),
  SOCKETS("sockets", "rate-limited", 4429, HttpStatus.TOO_MANY_REQUESTS),
  TOKEN("token", "invalid-token", 4401, HttpStatus.UNAUTHORIZED),
  TOKEN_KEYS("token-keys", "unavailable", 1013, HttpStatus.SERVICE_UNAVAILABLE),
  API_KEY("api-key", "invalid-api-key", 4401, HttpStatus.UNAUTHORIZED),
  API_RATE("api-rate", "rate-limited", 4429, HttpStatus.TOO_MANY_REQUESTS),
  PATH("path", "invalid-path", 1008, HttpStatus.BAD_REQUEST),
  SLOW_REQUEST("slow-request", "request-timeout", 1008, HttpStatus.REQUEST_TIMEOUT),
  NO_POD("no-pod", "unavailable", 1013, HttpStatus.SERVICE_UNAVAILABLE);

  private final String tag;
  private final String code;
  private final int closeCode;
  private final HttpStatus status;

  Refusal(String tag, String code, int closeCode, HttpStatus status) {
    this.tag = tag;
    this.code = code;
    this.closeCode = closeCode;
    this.status = status;
  }

  /** The {@code reason} tag of {@code switchboard_gateway_rejections_total}. */
  public String tag() {
    return tag;
  }

  /** The {@code code} of the {@code error} message / problem JSON. */
  public String code() {
    return code;
  }

  public int closeCode() {
    return closeCode;
  }

  public HttpStatus status() {
    return status;
  }
}
