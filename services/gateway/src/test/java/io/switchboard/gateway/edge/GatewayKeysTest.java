package io.switchboard.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The keys are a contract with operators, tests and older replicas: their strings never change by accident. */
class GatewayKeysTest {

  @Test
  void socketsOfAnAddress() {
    assertThat(GatewayKeys.sockets("203.0.113.7")).isEqualTo("gw:sockets:203.0.113.7");
  }
}
