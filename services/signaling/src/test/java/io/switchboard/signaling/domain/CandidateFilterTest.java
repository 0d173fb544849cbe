package io.switchboard.signaling.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CandidateFilterTest {

  static final CandidateFilter FILTER = CandidateFilter.blocking(List.of("10.100.0.0/16", "fd00:10::/32"));

  static String host(String address) {
    return "candidate:842163049 1 udp 1677729535 " + address + " 50000 typ host generation 0 ufrag abcd";
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "169.254.169.254", "0.0.0.0", "224.0.0.251", "255.255.255.255",
      "::1", "::", "fe80::1234:5678", "ff02::fb", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "10.100.3.4",
      "fd00:10::1", "[::1]"})
  void candidatesThatWouldHaveKmsProbeTheInsideAreDropped(String address) {
    assertThat(FILTER.refuses(host(address))).isEqualTo("blocked-address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"203.0.113.7", "192.168.1.20", "10.0.0.5", "10.101.0.1", "2001:db8::7", "fd00:11::1",
      "4bc6a4b8-8b7b-4e07-9b6f-0e6c4f1d2c3a.local"})
  void candidatesABrowserReallyHasPass(String address) {
    assertThat(FILTER.refuses(host(address))).isNull();
  }

  @Test
  void hostnamesAreDroppedSoKmsResolvesNothingWithTheClustersDns() {
    assertThat(FILTER.refuses(host("metadata.google.internal"))).isEqualTo("hostname");
    assertThat(FILTER.refuses(host("placement.switchboard.svc.cluster.local"))).isEqualTo("hostname");
    assertThat(FILTER.refuses(host("localhost"))).isEqualTo("hostname");
  }

  @Test
  void relayAndReflexiveCandidatesAreJudgedByTheirOwnAddress() {
    String srflx = "candidate:1 1 udp 1686052607 198.51.100.9 61000 typ srflx raddr 192.168.1.20 rport 50000";
    assertThat(FILTER.refuses(srflx)).isNull();
    String tcp = "candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active";
    assertThat(FILTER.refuses(tcp)).isEqualTo("blocked-address");
  }

  @Test
  void endOfCandidatesAlwaysPassesAndNonsenseIsDropped() {
    assertThat(FILTER.refuses("")).isNull();
    assertThat(FILTER.refuses("candidate:1 1 udp 1 127.0.0.1")).isEqualTo("malformed");
    assertThat(FILTER.refuses("candidate:1 1 udp 1 127.0.0.1 5000 host")).isEqualTo("malformed");
    assertThat(CandidateFilter.NONE.refuses(host("127.0.0.1"))).isNull();
  }

  @Test
  void aRangeThatIsNotCidrStopsThePodWithTheEntryNamed() {
    for (String bad : List.of("10.100.0.0", "10.100.0.0/33", "cluster/16", "fd00::/129", "10.0.0.0/x")) {
      assertThatThrownBy(() -> CandidateFilter.blocking(List.of(bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("switchboard.signaling.ice.blocked-ranges")
          .hasMessageContaining(bad);
    }
  }
}
