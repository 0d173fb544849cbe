package io.switchboard.groupcall.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessageDecoderTest {

  private static final String OFFER = "v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\nm=audio 9 UDP/TLS/RTP/SAVPF 111\\r\\n";
  private final MessageDecoder decoder = new MessageDecoder();

  @Test
  void theTutorialClientsMessagesDecodeUnchanged() {
    // A room as people type it in the tutorial's form.
    assertThat(decoder.decode("{\"id\":\"joinRoom\",\"name\":\"Zoë\",\"room\":\"Team Standup #2\"}"))
        .isInstanceOf(ClientMessage.JoinRoom.class);
    // Exactly what kurento-tutorial-java's group-call conferenceroom.js / participant.js send.
    assertThat(decoder.decode("{\"id\":\"joinRoom\",\"name\":\"alice\",\"room\":\"standup\"}"))
        .isEqualTo(new ClientMessage.JoinRoom("alice", "standup", null));
    assertThat(decoder.decode("{\"id\":\"receiveVideoFrom\",\"sender\":\"bob\",\"sdpOffer\":\"" + OFFER + "\"}"))
        .isEqualTo(new ClientMessage.ReceiveVideoFrom("bob", OFFER.replace("\\r\\n", "\r\n"), Stream.WEBCAM, null));
    assertThat(decoder.decode("{\"id\":\"onIceCandidate\",\"candidate\":{\"candidate\":\"candidate:1 1 udp 2122260223 "
        + "127.0.0.1 50000 typ host generation 0\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"abcd\"},"
        + "\"name\":\"alice\"}"))
        .isEqualTo(new ClientMessage.OnIceCandidate("alice",
            new IceCandidate("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0", "0", 0),
            Stream.WEBCAM, null));
    assertThat(decoder.decode("{\"id\":\"leaveRoom\"}")).isEqualTo(new ClientMessage.LeaveRoom(null));
  }

  @Test
  void extensionsDecode() {
    assertThat(decoder.decode("{\"id\":\"mediaState\",\"audio\":false,\"video\":true,\"requestId\":7}"))
        .isEqualTo(new ClientMessage.MediaState(false, true, "7"));
    assertThat(decoder.decode("{\"id\":\"chat\",\"text\":\"hi\",\"to\":\"bob\"}"))
        .isEqualTo(new ClientMessage.Chat("hi", "bob", null));
    assertThat(decoder.decode("{\"id\":\"chat\",\"text\":\"hi all\"}")).isEqualTo(new ClientMessage.Chat("hi all", null, null));
    assertThat(decoder.decode("{\"id\":\"receiveVideoFrom\",\"sender\":\"bob\",\"stream\":\"screen\",\"sdpOffer\":\"" + OFFER + "\"}"))
        .extracting(m -> ((ClientMessage.ReceiveVideoFrom) m).stream()).isEqualTo(Stream.SCREEN);
    assertThat(decoder.decode("{\"id\":\"publishScreen\",\"sdpOffer\":\"" + OFFER + "\"}")).isInstanceOf(ClientMessage.PublishScreen.class);
    assertThat(decoder.decode("{\"id\":\"unpublishScreen\"}")).isInstanceOf(ClientMessage.UnpublishScreen.class);
    assertThat(decoder.decode("{\"id\":\"presenter\",\"sdpOffer\":\"" + OFFER + "\"}")).isInstanceOf(ClientMessage.Presenter.class);
    assertThat(decoder.decode("{\"id\":\"viewer\",\"sdpOffer\":\"" + OFFER + "\"}")).isInstanceOf(ClientMessage.Viewer.class);
    assertThat(decoder.decode("{\"id\":\"stop\"}")).isInstanceOf(ClientMessage.Stop.class);
    assertThat(decoder.decode("{\"id\":\"startRecording\",\"requestId\":\"r-1\"}"))
        .isEqualTo(new ClientMessage.StartRecording("r-1"));
    assertThat(decoder.decode("{\"id\":\"stopRecording\"}")).isInstanceOf(ClientMessage.StopRecording.class);
    assertThat(decoder.decode("{\"id\":\"resume\",\"token\":\"AbCdEfGhIjKlMnOpQrStUv-_12\"}"))
        .isEqualTo(new ClientMessage.Resume("AbCdEfGhIjKlMnOpQrStUv-_12", null));
    assertThat(decoder.decode("{\"id\":\"onIceCandidate\",\"name\":\"a\",\"candidate\":{\"candidate\":\"\",\"sdpMid\":null,"
        + "\"sdpMLineIndex\":0}}")).extracting(m -> ((ClientMessage.OnIceCandidate) m).candidate().candidate()).isEqualTo("");
  }

  static List<Arguments> hostile() {
    String deep = "[".repeat(100) + "]".repeat(100);
    return List.of(
        Arguments.of("not json", "{\"id\":", ErrorCode.INVALID_JSON),
        Arguments.of("garbage", "hello", ErrorCode.INVALID_JSON),
        Arguments.of("empty frame", "", ErrorCode.INVALID_JSON),
        Arguments.of("array", "[{\"id\":\"leaveRoom\"}]", ErrorCode.NOT_AN_OBJECT),
        Arguments.of("number", "42", ErrorCode.NOT_AN_OBJECT),
        Arguments.of("string", "\"joinRoom\"", ErrorCode.NOT_AN_OBJECT),
        Arguments.of("null", "null", ErrorCode.NOT_AN_OBJECT),
        Arguments.of("deep nesting", deep, ErrorCode.INVALID_JSON),
        Arguments.of("duplicate keys", "{\"id\":\"leaveRoom\",\"id\":\"joinRoom\"}", ErrorCode.INVALID_JSON),
        Arguments.of("no id", "{\"name\":\"a\",\"room\":\"r\"}", ErrorCode.MISSING_ID),
        Arguments.of("id not a string", "{\"id\":5}", ErrorCode.MISSING_ID),
        Arguments.of("unknown id", "{\"id\":\"dropTables\"}", ErrorCode.UNKNOWN_ID),
        Arguments.of("missing name", "{\"id\":\"joinRoom\",\"room\":\"r\"}", ErrorCode.MISSING_FIELD),
        Arguments.of("name not a string", "{\"id\":\"joinRoom\",\"name\":[\"a\"],\"room\":\"r\"}", ErrorCode.WRONG_TYPE),
        Arguments.of("empty name", "{\"id\":\"joinRoom\",\"name\":\"\",\"room\":\"r\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("blank name", "{\"id\":\"joinRoom\",\"name\":\"   \",\"room\":\"r\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("long name", "{\"id\":\"joinRoom\",\"name\":\"" + "a".repeat(65) + "\",\"room\":\"r\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("markup in name", "{\"id\":\"joinRoom\",\"name\":\"<script>\",\"room\":\"r\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("control char in name", "{\"id\":\"joinRoom\",\"name\":\"a\\u0000b\",\"room\":\"r\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("name ending in a space", "{\"id\":\"joinRoom\",\"name\":\"alice \",\"room\":\"r\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("name starting with a space", "{\"id\":\"joinRoom\",\"name\":\" alice\",\"room\":\"r\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("name not in NFC", "{\"id\":\"joinRoom\",\"name\":\"\u212Bsa\",\"room\":\"r\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("sender ending in a space", "{\"id\":\"receiveVideoFrom\",\"sender\":\"a \",\"sdpOffer\":\"" + OFFER + "\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("room ending in a space", "{\"id\":\"joinRoom\",\"name\":\"a\",\"room\":\"standup \"}", ErrorCode.INVALID_VALUE),
        Arguments.of("room not in NFC", "{\"id\":\"joinRoom\",\"name\":\"a\",\"room\":\"\u2126 lab\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("blank room", "{\"id\":\"joinRoom\",\"name\":\"a\",\"room\":\"  \"}", ErrorCode.INVALID_VALUE),
        Arguments.of("markup in room", "{\"id\":\"joinRoom\",\"name\":\"a\",\"room\":\"<b>\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("room with a slash", "{\"id\":\"joinRoom\",\"name\":\"a\",\"room\":\"a/b\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("room with a key separator", "{\"id\":\"joinRoom\",\"name\":\"a\",\"room\":\"a:b\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("sdp not sdp", "{\"id\":\"receiveVideoFrom\",\"sender\":\"a\",\"sdpOffer\":\"hello\"}", ErrorCode.INVALID_SDP),
        Arguments.of("sdp without media", "{\"id\":\"receiveVideoFrom\",\"sender\":\"a\",\"sdpOffer\":\"v=0\\r\\n\"}", ErrorCode.INVALID_SDP),
        Arguments.of("sdp too long", "{\"id\":\"publishScreen\",\"sdpOffer\":\"v=0\\nm=" + "x".repeat(MessageDecoder.MAX_SDP) + "\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("sdp a number", "{\"id\":\"presenter\",\"sdpOffer\":1}", ErrorCode.WRONG_TYPE),
        Arguments.of("candidate a string", "{\"id\":\"onIceCandidate\",\"name\":\"a\",\"candidate\":\"candidate:1\"}", ErrorCode.WRONG_TYPE),
        Arguments.of("candidate missing", "{\"id\":\"onIceCandidate\",\"name\":\"a\"}", ErrorCode.MISSING_FIELD),
        Arguments.of("candidate garbage", "{\"id\":\"onIceCandidate\",\"name\":\"a\",\"candidate\":{\"candidate\":\"rm -rf\",\"sdpMLineIndex\":0}}", ErrorCode.INVALID_VALUE),
        Arguments.of("sdpMLineIndex negative", "{\"id\":\"onIceCandidate\",\"name\":\"a\",\"candidate\":{\"candidate\":\"\",\"sdpMLineIndex\":-1}}", ErrorCode.WRONG_TYPE),
        Arguments.of("sdpMLineIndex fraction", "{\"id\":\"onIceCandidate\",\"name\":\"a\",\"candidate\":{\"candidate\":\"\",\"sdpMLineIndex\":0.5}}", ErrorCode.WRONG_TYPE),
        Arguments.of("sdpMLineIndex string", "{\"id\":\"onIceCandidate\",\"name\":\"a\",\"candidate\":{\"candidate\":\"\",\"sdpMLineIndex\":\"0\"}}", ErrorCode.WRONG_TYPE),
        Arguments.of("sdpMLineIndex missing", "{\"id\":\"onIceCandidate\",\"name\":\"a\",\"candidate\":{\"candidate\":\"\"}}", ErrorCode.MISSING_FIELD),
        Arguments.of("sdpMid a number", "{\"id\":\"onIceCandidate\",\"name\":\"a\",\"candidate\":{\"candidate\":\"\",\"sdpMid\":0,\"sdpMLineIndex\":0}}", ErrorCode.WRONG_TYPE),
        Arguments.of("unknown stream", "{\"id\":\"receiveVideoFrom\",\"sender\":\"a\",\"stream\":\"camera\",\"sdpOffer\":\"" + OFFER + "\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("media state as strings", "{\"id\":\"mediaState\",\"audio\":\"true\",\"video\":true}", ErrorCode.WRONG_TYPE),
        Arguments.of("media state missing", "{\"id\":\"mediaState\",\"audio\":true}", ErrorCode.MISSING_FIELD),
        Arguments.of("empty chat", "{\"id\":\"chat\",\"text\":\"\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("huge chat", "{\"id\":\"chat\",\"text\":\"" + "x".repeat(2001) + "\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("chat to a bad name", "{\"id\":\"chat\",\"text\":\"hi\",\"to\":\"<b>\"}", ErrorCode.INVALID_VALUE),
        Arguments.of("short token", "{\"id\":\"resume\",\"token\":\"abc\"}", ErrorCode.INVALID_TOKEN),
        Arguments.of("token with a quote", "{\"id\":\"resume\",\"token\":\"abcdefghijklmnop'q\"}", ErrorCode.INVALID_TOKEN),
        Arguments.of("requestId an object", "{\"id\":\"leaveRoom\",\"requestId\":{}}", ErrorCode.INVALID_VALUE),
        Arguments.of("requestId too long", "{\"id\":\"leaveRoom\",\"requestId\":\"" + "r".repeat(65) + "\"}", ErrorCode.INVALID_VALUE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void hostileInputIsRefusedWithItsCode(String what, String frame, ErrorCode code) {
    ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> decoder.decode(frame));
    assertThat(e).as(what).isNotNull();
    assertThat(e.code()).as(what).isEqualTo(code);
    assertThat(e.getMessage()).isNotBlank().doesNotContain("\u0000");
    assertThat(e.toMessage().code()).isEqualTo(code.wire());
  }

  @Test
  void oneNameHasOneSpellingAndTheRefusalSaysHowToFixIt() {
    assertThat(catchThrowableOfType(ProtocolException.class,
        () -> decoder.decode("{\"id\":\"joinRoom\",\"name\":\"alice \",\"room\":\"r\"}")).getMessage())
        .isEqualTo("\"name\" must not begin or end with a space");
    assertThat(catchThrowableOfType(ProtocolException.class,
        () -> decoder.decode("{\"id\":\"joinRoom\",\"name\":\"\u212Bsa\",\"room\":\"r\"}")).getMessage())
        .as("the Angstrom sign, whose NFC is \u00c5").contains("normalization form C", ".normalize('NFC')");
    // The composed spelling, spaces inside and names in other scripts stay welcome.
    assertThat(decoder.decode("{\"id\":\"joinRoom\",\"name\":\"ren\u00e9 d'Ar\u00e7on\",\"room\":\"caf\u00e9 du matin\"}"))
        .isEqualTo(new ClientMessage.JoinRoom("ren\u00e9 d'Ar\u00e7on", "caf\u00e9 du matin", null));
    assertThat(decoder.decode("{\"id\":\"joinRoom\",\"name\":\"\u5f20\u4f1f\",\"room\":\"r\"}"))
        .isEqualTo(new ClientMessage.JoinRoom("\u5f20\u4f1f", "r", null));
  }

  @Test
  void errorsEchoTheRequestId() {
    ProtocolException e = catchThrowableOfType(ProtocolException.class,
        () -> decoder.decode("{\"id\":\"joinRoom\",\"requestId\":\"join-1\",\"room\":\"r\"}"));
    assertThat(e.requestId()).isEqualTo("join-1");
    assertThat(new MessageEncoder().encode(e.toMessage()))
        .isEqualTo("{\"id\":\"error\",\"code\":\"missing-field\",\"message\":\"\\\"name\\\" is required\",\"requestId\":\"join-1\"}");
  }

  @Test
  void unknownIdsAreQuotedSafely() {
    ProtocolException e = catchThrowableOfType(ProtocolException.class,
        () -> decoder.decode("{\"id\":\"\\u0007" + "x".repeat(100) + "\"}"));
    assertThat(e.getMessage()).startsWith("unknown message id \"?xxx").hasSizeLessThan(80);
  }
}
