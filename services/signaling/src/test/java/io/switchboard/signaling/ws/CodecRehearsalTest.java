package io.switchboard.signaling.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.signaling.domain.MediaWarmup;
import org.junit.jupiter.api.Test;

class CodecRehearsalTest {

  @Test
  void theRehearsedFramesAreWhatABrowserSendsAndDecodeAsSuch() {
    var decoded = CodecRehearsal.rehearse(3, MediaWarmup.rehearsalOffer());

    assertThat(decoded).hasSize(3);
    assertThat(decoded.get(0)).isInstanceOfSatisfying(ClientMessage.JoinRoom.class,
        j -> assertThat(j.room()).isEqualTo("rehearsal"));
    assertThat(decoded.get(1)).isInstanceOfSatisfying(ClientMessage.ReceiveVideoFrom.class,
        r -> assertThat(r.sdpOffer()).isEqualTo(MediaWarmup.rehearsalOffer()));
    assertThat(decoded.get(2)).isInstanceOf(ClientMessage.OnIceCandidate.class);
  }
}
