package io.switchboard.placement.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticNodeDiscoveryTest {

  @Test
  void nodeIdsComeFromHostAndPort() {
    StaticNodeDiscovery discovery = new StaticNodeDiscovery(
        List.of(URI.create("ws://127.0.0.1:8888/kurento"), URI.create("wss://KMS-1.example:443/kurento")), 300);
    assertThat(discovery.nodes()).containsExactly(
        new DiscoveredNode("127-0-0-1-8888", "ws://127.0.0.1:8888/kurento", 300),
        new DiscoveredNode("kms-1-example-443", "wss://KMS-1.example:443/kurento", 300));
  }

  @Test
  void onlyWebSocketUrlsAreNodes() {
    assertThatThrownBy(() -> new StaticNodeDiscovery(List.of(URI.create("http://127.0.0.1:8888/kurento")), 1))
        .hasMessageContaining("ws://host:8888/kurento");
  }
}
