package io.switchboard.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

class ClientAddressTest {

  @Test
  void theConnectionsAddressUnlessForwardedForIsTrusted() {
    MockServerHttpRequest request = MockServerHttpRequest.get("/groupcall")
        .remoteAddress(new InetSocketAddress("192.0.2.10", 50000))
        .header("X-Forwarded-For", "203.0.113.9, 198.51.100.7").build();
    assertThat(ClientAddress.of(request, false)).isEqualTo("192.0.2.10");
    // Behind a load balancer: the right-most entry is the one it appended; the rest is the client's to write.
    assertThat(ClientAddress.of(request, true)).isEqualTo("198.51.100.7");
  }

  @Test
  void ipv6ClientsCountPerSlash64() {
    MockServerHttpRequest a = MockServerHttpRequest.get("/groupcall")
        .remoteAddress(new InetSocketAddress("2001:db8:1:2:aaaa::1", 50000)).build();
    MockServerHttpRequest b = MockServerHttpRequest.get("/groupcall")
        .remoteAddress(new InetSocketAddress("2001:db8:1:2:bbbb::7", 50000)).build();
    MockServerHttpRequest other = MockServerHttpRequest.get("/groupcall")
        .remoteAddress(new InetSocketAddress("2001:db8:1:3::1", 50000)).build();
    assertThat(ClientAddress.of(a, false)).isEqualTo(ClientAddress.of(b, false)).endsWith("/64");
    assertThat(ClientAddress.of(other, false)).isNotEqualTo(ClientAddress.of(a, false));
    MockServerHttpRequest forwarded = MockServerHttpRequest.get("/groupcall")
        .remoteAddress(new InetSocketAddress("10.0.0.1", 50000)).header("X-Forwarded-For", "[2001:db8:1:2::9]").build();
    assertThat(ClientAddress.of(forwarded, true)).isEqualTo(ClientAddress.of(a, false));
  }

  @Test
  void somethingThatIsNotAnAddressIsNeverLookedUp() {
    MockServerHttpRequest named = MockServerHttpRequest.get("/groupcall")
        .remoteAddress(new InetSocketAddress("10.0.0.1", 50000)).header("X-Forwarded-For", "evil.example").build();
    assertThat(ClientAddress.of(named, true)).isEqualTo("evil.example");
  }
}
