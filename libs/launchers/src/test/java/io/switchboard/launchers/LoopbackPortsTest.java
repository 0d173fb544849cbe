package io.switchboard.launchers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

  /** A server with two listeners asks twice in a row: it must never get the same port twice. */
  @Test
  void portsHandedOutLatelyAreNotHandedOutAgain() {
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 256; i++) {
      ports.add(LoopbackPorts.free());
    }
    assertThat(ports).hasSize(256);
  }
}
