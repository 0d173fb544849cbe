package io.switchboard.loadgen.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.MessageDecoder;
import io.switchboard.loadgen.client.Frames;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CandidatesTest {

  private final Candidates candidates = new Candidates(new SplittableRandom(3));

  @Test
  void hostCandidatesOnTheBundledFirstLineUdpThenTcp() {
    List<IceCandidate> list = candidates.forConnection(4, 3);

    assertThat(list).hasSize(3).allSatisfy(c -> {
      assertThat(c.sdpMid()).isEqualTo("0");
      assertThat(c.sdpMLineIndex()).isZero();
      // candidate:<foundation> <component> <transport> <priority> <address> <port> typ host
      String[] f = c.candidate().split(" ");
      assertThat(f[0]).matches("candidate:\\d+");
      assertThat(f[1]).isEqualTo("1");
      assertThat(f[4]).isEqualTo("192.0.2.5");
      assertThat(f[6] + " " + f[7]).isEqualTo("typ host");
    });
    assertThat(list).extracting(c -> c.candidate().split(" ")[2]).containsExactly("udp", "tcp", "udp");
    assertThat(list.get(1).candidate()).contains(" 9 typ host tcptype active");
  }

  @Test
  void asManyAsAskedForEvenNone() {
    assertThat(candidates.forConnection(0, 0)).isEmpty();
    assertThat(candidates.forConnection(0, 7)).hasSize(7);
  }

  @Test
  void addressesStayInTheDocumentationRange() {
    for (int participant : new int[] {0, 253, 254, 10_000, -1}) {
      String address = candidates.forConnection(participant, 1).get(0).candidate().split(" ")[4];
      assertThat(address).startsWith("192.0.2.");
      int last = Integer.parseInt(address.substring("192.0.2.".length()));
      assertThat(last).isBetween(1, 254);
    }
  }

  @Test
  void theServersDecoderTakesThemAsTheyAre() {
    MessageDecoder decoder = new MessageDecoder();
    for (IceCandidate c : candidates.forConnection(1, 4)) {
      ClientMessage m = decoder.decode(Frames.onIceCandidate("u1", c, "ice:u1"));
      assertThat(m).isInstanceOfSatisfying(ClientMessage.OnIceCandidate.class,
          o -> assertThat(o.candidate()).isEqualTo(c));
    }
  }
}
