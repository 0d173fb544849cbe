package io.switchboard.loadgen.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.MessageDecoder;
import org.junit.jupiter.api.Test;

/** Every frame loadgen sends, read back by the decoder the signaling pods use. */
class FramesTest {

  private final MessageDecoder decoder = new MessageDecoder();

  @Test
  void joinRoom() {
    assertThat(decoder.decode(Frames.joinRoom("u07", "lg-ab12cd-r3", "join")))
        .isEqualTo(new ClientMessage.JoinRoom("u07", "lg-ab12cd-r3", "join"));
  }

  @Test
  void receiveVideoFromCarriesItsRequestIdForErrors() {
    ClientMessage m = decoder.decode(Frames.receiveVideoFrom("u2", "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n", "rvf:u2"));

    assertThat(m).isInstanceOfSatisfying(ClientMessage.ReceiveVideoFrom.class, r -> {
      assertThat(r.sender()).isEqualTo("u2");
      assertThat(r.requestId()).isEqualTo("rvf:u2");
    });
  }

  @Test
  void leaveAndResume() {
    assertThat(decoder.decode(Frames.leaveRoom("leave"))).isEqualTo(new ClientMessage.LeaveRoom("leave"));
    String token = "pV0c1cYqZ7Wm3w2m0b0x4l8N3l5y0Qe6m9Tq2Kc1Hk4";
    assertThat(decoder.decode(Frames.resume(token, "resume"))).isEqualTo(new ClientMessage.Resume(token, "resume"));
  }
}
