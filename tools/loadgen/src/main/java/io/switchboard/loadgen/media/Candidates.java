package io.switchboard.loadgen.media;

import io.switchboard.groupcall.protocol.IceCandidate;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The host candidates a browser trickles for one peer connection, in the order Chromium gathers
 * them: UDP first, then TCP active (port 9, as browsers write it), then more UDP on further ports.
 * All on the bundled first m-line ({@code sdpMid "0"}, index 0), as Chromium sends them with
 * max-bundle. Addresses come from 192.0.2.0/24 (TEST-NET-1, RFC 5737): well-formed, routable
 * nowhere, so a real KMS's connectivity checks reach nothing.
 */
public final class Candidates {

  /** Chromium's priorities for host UDP and host TCP-active candidates on component 1. */
  static final long UDP_PRIORITY = 2_122_260_223L;
  static final long TCP_PRIORITY = 1_518_280_447L;

  private final RandomGenerator random;

  public Candidates(RandomGenerator random) {
    this.random = random;
  }

  /** {@code count} candidates for one peer connection of participant {@code participant}. */
  public synchronized List<IceCandidate> forConnection(int participant, int count) {
    String address = "192.0.2." + (1 + Math.floorMod(participant, 254));
    List<IceCandidate> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long foundation = random.nextLong(1, 1L << 32);
      String line;
      if (i == 1) {
        line = "candidate:" + foundation + " 1 tcp " + TCP_PRIORITY + " " + address + " 9 typ host tcptype active"
            + " generation 0 network-id 1";
      } else {
        int port = random.nextInt(40_000, 60_000);
        line = "candidate:" + foundation + " 1 udp " + (UDP_PRIORITY - i) + " " + address + " " + port + " typ host"
            + " generation 0 network-id " + (1 + i);
      }
      list.add(new IceCandidate(line, "0", 0));
    }
    return list;
  }
}
