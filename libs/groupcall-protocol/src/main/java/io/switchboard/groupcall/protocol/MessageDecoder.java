package io.switchboard.groupcall.protocol;

import java.text.Normalizer;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Text frame → typed {@link ClientMessage}, or a {@link ProtocolException} saying exactly what is
 * wrong. Decoding is the only place that looks at raw JSON: unknown ids, missing fields, wrong
 * types and out-of-range values are all refused here, before anything can change state.
 */
public final class MessageDecoder {

  /** Participant names: 1..64 letters, digits, spaces and {@code . _ - ' @}. */
  public static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} ._'@-]{1,64}");
  /**
   * Room names, as people type them in the tutorial's form: 1..64 letters, digits, spaces and
   * {@code . _ ~ - ' @ # & + ! ? ( ) ,}, not blank. (The server keys rooms by an id derived from
   * the name.)
   */
  public static final Pattern ROOM = Pattern.compile("[\\p{L}\\p{N} ._~'@#&+!?(),-]{1,64}");
  public static final int MAX_SDP = 32 * 1024;
  public static final int MAX_CHAT = 2_000;
  public static final int MAX_CANDIDATE = 512;
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~-]{16,512}");
  private static final Pattern REQUEST_ID = Pattern.compile("[\\x21-\\x7e]{1,64}");

  /**
   * Whether a name or room is written the one way it may be: no space at either end, Unicode NFC.
   * Wherever a name is accepted (a join, a token's identity), so that one name is one spelling.
   */
  public static boolean hasOneSpelling(String v) {
    return v.strip().equals(v) && Normalizer.isNormalized(v, Normalizer.Form.NFC);
  }

  private final JsonMapper mapper = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(MAX_SDP + 1024).build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build())
      .build();

  public ClientMessage decode(String text) {
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (JacksonException e) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, "the message is not valid JSON", null);
    }
    if (root == null || root.isMissingNode()) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, "the message is empty", null);
    }
    if (!(root instanceof ObjectNode message)) {
      throw new ProtocolException(ErrorCode.NOT_AN_OBJECT, "a message is a JSON object with an \"id\"", null);
    }
    String requestId = requestId(message);
    Fields f = new Fields(message, requestId);
    JsonNode id = message.get("id");
    if (id == null || !id.isString()) {
      throw new ProtocolException(ErrorCode.MISSING_ID, "a message needs a string \"id\"", requestId);
    }
    return switch (id.stringValue()) {
      case "joinRoom" -> new ClientMessage.JoinRoom(f.name("name"), f.room("room"), requestId);
      case "receiveVideoFrom" -> new ClientMessage.ReceiveVideoFrom(f.name("sender"), f.sdp("sdpOffer"), f.stream(),
          requestId);
      case "onIceCandidate" -> new ClientMessage.OnIceCandidate(f.name("name"), f.candidate(), f.stream(), requestId);
      case "leaveRoom" -> new ClientMessage.LeaveRoom(requestId);
      case "mediaState" -> new ClientMessage.MediaState(f.bool("audio"), f.bool("video"), requestId);
      case "chat" -> new ClientMessage.Chat(f.text("text", MAX_CHAT), f.optionalName("to"), requestId);
      case "publishScreen" -> new ClientMessage.PublishScreen(f.sdp("sdpOffer"), requestId);
      case "unpublishScreen" -> new ClientMessage.UnpublishScreen(requestId);
      case "presenter" -> new ClientMessage.Presenter(f.sdp("sdpOffer"), requestId);
      case "viewer" -> new ClientMessage.Viewer(f.sdp("sdpOffer"), requestId);
      case "stop" -> new ClientMessage.Stop(requestId);
      case "startRecording" -> new ClientMessage.StartRecording(requestId);
      case "stopRecording" -> new ClientMessage.StopRecording(requestId);
      case "resume" -> new ClientMessage.Resume(f.token("token"), requestId);
      default -> throw new ProtocolException(ErrorCode.UNKNOWN_ID,
          "unknown message id \"" + printable(id.stringValue()) + "\"", requestId);
    };
  }

  /** A requestId the client can match errors with: a short printable string, or an integer. */
  private static String requestId(ObjectNode message) {
    JsonNode r = message.get("requestId");
    if (r == null) {
      return null;
    }
    if (r.isIntegralNumber() && r.canConvertToLong()) {
      return Long.toString(r.longValue());
    }
    if (r.isString() && REQUEST_ID.matcher(r.stringValue()).matches()) {
      return r.stringValue();
    }
    throw new ProtocolException(ErrorCode.INVALID_VALUE, "requestId must be an integer or 1..64 printable characters",
        null);
  }

  private static String printable(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /** Typed access to one message's fields, failing with the field's name. */
  private static final class Fields {
    private final ObjectNode message;
    private final String requestId;

    Fields(ObjectNode message, String requestId) {
      this.message = message;
      this.requestId = requestId;
    }

    String string(String field) {
      JsonNode v = message.get(field);
      if (v == null || v.isNull()) {
        throw new ProtocolException(ErrorCode.MISSING_FIELD, "\"" + field + "\" is required", requestId);
      }
      if (!v.isString()) {
        throw new ProtocolException(ErrorCode.WRONG_TYPE, "\"" + field + "\" must be a string", requestId);
      }
      return v.stringValue();
    }

    String name(String field) {
      String v = string(field);
      if (!NAME.matcher(v).matches() || v.isBlank()) {
        throw invalid(field + "\" must be 1 to 64 letters, digits, spaces or . _ - ' @");
      }
      return oneSpelling(field, v);
    }

    /**
     * Refuses a name or room that another spelling of the same text would also stand for: spaces at
     * either end ({@code "alice "} is not a second alice) or a Unicode form other than NFC (an
     * {@code é} typed as e + accent is not a second {@code é}). Refused, not rewritten: the client
     * keys its peers by what it sent.
     */
    private String oneSpelling(String field, String v) {
      if (hasOneSpelling(v)) {
        return v;
      }
      if (!v.strip().equals(v)) {
        throw invalid(field + "\" must not begin or end with a space");
      }
      if (!Normalizer.isNormalized(v, Normalizer.Form.NFC)) {
        throw invalid(field + "\" must be in Unicode normalization form C (in JavaScript: .normalize('NFC'))");
      }
      return v;
    }

    String optionalName(String field) {
      JsonNode v = message.get(field);
      return v == null || v.isNull() ? null : name(field);
    }

    String room(String field) {
      String v = string(field);
      if (!ROOM.matcher(v).matches() || v.isBlank()) {
        throw invalid(field + "\" must be 1 to 64 letters, digits, spaces or . _ ~ - ' @ # & + ! ? ( ) ,");
      }
      return oneSpelling(field, v);
    }

    String sdp(String field) {
      String v = string(field);
      if (v.length() > MAX_SDP) {
        throw invalid(field + "\" is longer than " + MAX_SDP + " characters");
      }
      if (!v.startsWith("v=0") || !v.contains("\nm=")) {
        throw new ProtocolException(ErrorCode.INVALID_SDP, "\"" + field + "\" is not an SDP offer with media",
            requestId);
      }
      return v;
    }

    String text(String field, int max) {
      String v = string(field);
      if (v.isEmpty() || v.length() > max) {
        throw invalid(field + "\" must be 1 to " + max + " characters");
      }
      return v;
    }

    String token(String field) {
      String v = string(field);
      if (!TOKEN.matcher(v).matches()) {
        throw new ProtocolException(ErrorCode.INVALID_TOKEN, "the resume token is not valid", requestId);
      }
      return v;
    }

    boolean bool(String field) {
      JsonNode v = message.get(field);
      if (v == null || v.isNull()) {
        throw new ProtocolException(ErrorCode.MISSING_FIELD, "\"" + field + "\" is required", requestId);
      }
      if (!v.isBoolean()) {
        throw new ProtocolException(ErrorCode.WRONG_TYPE, "\"" + field + "\" must be true or false", requestId);
      }
      return v.booleanValue();
    }

    Stream stream() {
      JsonNode v = message.get("stream");
      if (v == null || v.isNull()) {
        return Stream.WEBCAM;
      }
      if (!v.isString()) {
        throw new ProtocolException(ErrorCode.WRONG_TYPE, "\"stream\" must be a string", requestId);
      }
      return switch (v.stringValue()) {
        case "webcam" -> Stream.WEBCAM;
        case "screen" -> Stream.SCREEN;
        default -> throw invalid("stream\" must be \"webcam\" or \"screen\"");
      };
    }

    IceCandidate candidate() {
      JsonNode v = message.get("candidate");
      if (v == null || v.isNull()) {
        throw new ProtocolException(ErrorCode.MISSING_FIELD, "\"candidate\" is required", requestId);
      }
      if (!(v instanceof ObjectNode c)) {
        throw new ProtocolException(ErrorCode.WRONG_TYPE,
            "\"candidate\" must be an object {candidate, sdpMid, sdpMLineIndex}", requestId);
      }
      Fields inner = new Fields(c, requestId);
      String candidate = inner.string("candidate");
      if (candidate.length() > MAX_CANDIDATE || !(candidate.isEmpty() || candidate.startsWith("candidate:"))) {
        throw invalid("candidate\" must be an ICE candidate line (\"candidate:...\") or \"\" for end of candidates");
      }
      JsonNode mid = c.get("sdpMid");
      if (mid != null && !mid.isNull() && (!mid.isString() || mid.stringValue().length() > 32)) {
        throw new ProtocolException(ErrorCode.WRONG_TYPE, "\"sdpMid\" must be a short string", requestId);
      }
      JsonNode index = c.get("sdpMLineIndex");
      if (index == null || index.isNull()) {
        throw new ProtocolException(ErrorCode.MISSING_FIELD, "\"sdpMLineIndex\" is required", requestId);
      }
      if (!index.isIntegralNumber() || !index.canConvertToInt() || index.intValue() < 0 || index.intValue() > 63) {
        throw new ProtocolException(ErrorCode.WRONG_TYPE, "\"sdpMLineIndex\" must be an integer 0..63", requestId);
      }
      return new IceCandidate(candidate, mid == null || mid.isNull() ? null : mid.stringValue(), index.intValue());
    }

    private ProtocolException invalid(String text) {
      return new ProtocolException(ErrorCode.INVALID_VALUE, "\"" + text, requestId);
    }
  }
}
