package io.switchboard.signaling.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where a pod's socket rehearsal connects: its own web server, over loopback when it listens on all addresses. */
class OwnHostTest {

  @Test
  void allAddressesOrNoneMeanLoopbackAndABoundAddressIsUsedAsItIs() throws Exception {
    assertThat(SignalingConfiguration.ownHost(null)).isEqualTo("127.0.0.1");
    assertThat(SignalingConfiguration.ownHost(" ")).isEqualTo("127.0.0.1");
    assertThat(SignalingConfiguration.ownHost("0.0.0.0")).isEqualTo("127.0.0.1");
    assertThat(SignalingConfiguration.ownHost("::")).isEqualTo("127.0.0.1");
    assertThat(SignalingConfiguration.ownHost("127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(SignalingConfiguration.ownHost("10.1.2.3")).isEqualTo("10.1.2.3");
    assertThat(SignalingConfiguration.ownHost("::1")).isEqualTo("[0:0:0:0:0:0:0:1]");
  }
}
