package io.switchboard.kms.emulator.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An error KMS answers a request with, in KMS's codes and exact wording
 * (../shared/reference/kurento-protocol.md §7). JSON-RPC-level errors (negative codes) carry no
 * {@code data.type}, except -32602.
 */
public final class KmsException extends RuntimeException {

  private final int code;
  private final String type;
  private final transient JsonNode data;

  private KmsException(int code, String type, String message, JsonNode data) {
    super(message, null, false, false);
    this.code = code;
    this.type = type;
    this.data = data;
  }

  public int code() {
    return code;
  }

  /** {@code data.type}, or null when the error has no data member. */
  public String type() {
    return type;
  }

  /** Explicit {@code data} (only the notification reply has one that is not {@code {type}}). */
  public JsonNode data() {
    return data;
  }

  public static KmsException of(int code, String type, String message) {
    return new KmsException(code, type, message, null);
  }

  public static KmsException withData(int code, String message, JsonNode data) {
    return new KmsException(code, null, message, data);
  }

  // JSON-RPC layer
  public static KmsException invalidRequest() {
    return of(-32600, null, "Invalid JSON-RPC request.");
  }

  public static KmsException methodNotFound() {
    return of(-32601, null, "Method not found.");
  }

  public static KmsException paramsRequired() {
    return of(-32602, "INVALID_PARAMS", "'params' is required");
  }

  public static KmsException unexpected(String detail) {
    return of(-32603, null, "Unexpected error while processing method: " + detail);
  }

  public static KmsException topLevelRequired(String param) {
    return of(-32000, null, "'" + param + "' parameter is required");
  }

  public static KmsException topLevelType(String param, String kind) {
    return of(-32000, null, "'" + param + "' parameter should be " + kind);
  }

  // KMS layer
  public static KmsException marshall(String message) {
    return of(40001, "MARSHALL_ERROR", message);
  }

  public static KmsException connectError(String message) {
    return of(40004, "CONNECT_ERROR", message);
  }

  public static KmsException invalidSession() {
    return of(40007, "INVALID_SESSION", "Invalid session");
  }

  public static KmsException malformedTransaction(String message) {
    return of(40008, "MALFORMED_TRANSACTION", message);
  }

  public static KmsException notEnoughResources(String message) {
    return of(40009, "NOT_ENOUGH_RESOURCES", message);
  }

  public static KmsException objectNotFound(String id) {
    return of(40101, "MEDIA_OBJECT_NOT_FOUND", "Object '" + id + "' not found");
  }

  public static KmsException eventNotSupported(String event) {
    return of(40106, "MEDIA_OBJECT_EVENT_NOT_SUPPORTED", "Event '" + event + "' not supported");
  }

  public static KmsException illegalParam(String message) {
    return of(40107, "MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", message);
  }

  public static KmsException factoryNotFound(String type) {
    return of(40108, "MEDIA_OBJECT_NOT_AVAILABLE", "Factory '" + type + "' not found");
  }

  public static KmsException newrefOutsideTransaction(String id) {
    return of(
        40109,
        "MEDIA_OBJECT_NOT_FOUND_TRANSACTION_NO_COMMIT",
        "Object '"
            + id
            + "' not found. Possibly using a transactional object without committing the transaction.");
  }

  public static KmsException tagNotFound() {
    return of(40110, "MEDIA_OBJECT_TAG_KEY_NOT_FOUND", "Tag key not found");
  }

  public static KmsException operationNotSupported(String message) {
    return of(40111, "MEDIA_OBJECT_OPERATION_NOT_SUPPORTED", message);
  }

  public static KmsException sdpParse(String message) {
    return of(40201, "SDP_PARSE_ERROR", message);
  }

  public static KmsException noLocalSdp() {
    return of(40202, "SDP_END_POINT_NO_LOCAL_SDP_ERROR", "No local SDP");
  }

  public static KmsException noRemoteSdp() {
    return of(40203, "SDP_END_POINT_NO_REMOTE_SDP_ERROR", "No remote SDP");
  }

  public static KmsException alreadyNegotiated() {
    return of(40208, "SDP_END_POINT_ALREADY_NEGOTIATED", "Endpoint already negotiated");
  }

  public static KmsException offerNotGenerated() {
    return of(
        40209,
        "SDP_END_POINT_NOT_OFFER_GENERATED",
        "Offer not generated. It is not possible to process an answer.");
  }

  public static KmsException answerAlreadyProcessed() {
    // KMS misspells the type; clients match on it, so it is kept.
    return of(40210, "SDP_END_POINT_ANSWER_ALREADY_PROCCESED", "Sdp Answer already processed");
  }

  public static KmsException kmdNotFound() {
    return of(40500, "UNDEFINED", "Requested kmd module doesn't exist");
  }
}
