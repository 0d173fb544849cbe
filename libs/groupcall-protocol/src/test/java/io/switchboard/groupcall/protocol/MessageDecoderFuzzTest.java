package io.switchboard.groupcall.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of what a browser may send: whatever the frame, the decoder answers a
 * well-formed message or a {@link ProtocolException} with a code and a message a person can act on
 * — never another exception, never a message whose fields break the protocol's own limits.
 *
 * <p>Seeds (one frame per file, every message of the protocol) are in {@code
 * src/test/resources/…/MessageDecoderFuzzTestInputs/anyFrameIsAMessageOrAClearRefusal/}; a finding
 * is saved there too, and replayed by every later build.
 */
class MessageDecoderFuzzTest {

  private final MessageDecoder decoder = new MessageDecoder();

  @FuzzTest(maxDuration = "20s")
  @DictionaryEntries({"\"id\"", "\"joinRoom\"", "\"receiveVideoFrom\"", "\"onIceCandidate\"", "\"leaveRoom\"",
      "\"mediaState\"", "\"chat\"", "\"publishScreen\"", "\"presenter\"", "\"viewer\"", "\"resume\"",
      "\"name\"", "\"room\"", "\"sender\"", "\"sdpOffer\"", "\"candidate\"", "\"sdpMid\"",
      "\"sdpMLineIndex\"", "\"stream\"", "\"screen\"", "\"requestId\"", "\"text\"", "\"to\"", "\"audio\"",
      "\"video\"", "\"token\"", "v=0\\r\\n", "candidate:", "true", "false", "null"})
  void anyFrameIsAMessageOrAClearRefusal(byte[] bytes) {
    String frame = new String(bytes, StandardCharsets.UTF_8);
    ClientMessage message;
    try {
      message = decoder.decode(frame);
    } catch (ProtocolException refused) {
      assertThat(refused.code()).isNotNull();
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    assertThat(message).isNotNull();
    if (message instanceof ClientMessage.JoinRoom join) {
      assertThat(join.name()).matches(MessageDecoder.NAME);
      assertThat(join.room()).matches(MessageDecoder.ROOM);
      assertThat(MessageDecoder.hasOneSpelling(join.name())).isTrue();
    } else if (message instanceof ClientMessage.ReceiveVideoFrom offer) {
      assertThat(offer.sdpOffer().length()).isLessThanOrEqualTo(MessageDecoder.MAX_SDP);
    } else if (message instanceof ClientMessage.Chat chat) {
      assertThat(chat.text().length()).isLessThanOrEqualTo(MessageDecoder.MAX_CHAT);
    }
    // Decoding is a function of the frame.
    assertThat(decoder.decode(frame)).isEqualTo(message);
  }
}
