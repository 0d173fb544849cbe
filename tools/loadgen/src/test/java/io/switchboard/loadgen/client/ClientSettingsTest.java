package io.switchboard.loadgen.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientSettingsTest {

  private final URI gateway = URI.create("ws://localhost:8080/groupcall");
  private final URI podA = URI.create("ws://10.0.0.1:8081/groupcall");
  private final URI podB = URI.create("ws://10.0.0.2:8081/groupcall");

  @Test
  void theRoomGoesIntoTheQueryForTheGatewaysRouting() {
    ClientSettings s = ClientSettings.defaults(List.of(gateway));

    assertThat(s.url(0, 0, "lg-x-r01")).hasToString("ws://localhost:8080/groupcall?room=lg-x-r01");
    assertThat(s.url(0, 0, "a room & more")).hasToString("ws://localhost:8080/groupcall?room=a%20room%20%26%20more");
    assertThat(s.url(0, 0, null)).isEqualTo(gateway);
  }

  @Test
  void anExistingQueryIsKept() {
    ClientSettings s = ClientSettings.defaults(List.of(URI.create("wss://calls.example.com/groupcall?access_token=t")));

    assertThat(s.url(0, 0, "r")).hasToString("wss://calls.example.com/groupcall?access_token=t&room=r");
  }

  @Test
  void participantsSpreadOverTheUrlsAndAReconnectTriesTheNext() {
    ClientSettings s = new ClientSettings(List.of(podA, podB), false, 2, 40, 150, java.time.Duration.ofSeconds(30),
        java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(15), java.time.Duration.ZERO);

    assertThat(s.url(0, 0, "r")).isEqualTo(podA);
    assertThat(s.url(1, 0, "r")).isEqualTo(podB);
    assertThat(s.url(0, 1, "r")).isEqualTo(podB);
    assertThat(s.url(1, 1, "r")).isEqualTo(podA);
  }

  @Test
  void onlyWebSocketUrls() {
    assertThatThrownBy(() -> ClientSettings.defaults(List.of(URI.create("http://localhost:8080/groupcall"))))
        .hasMessageContaining("ws://");
    assertThatThrownBy(() -> ClientSettings.defaults(List.of())).hasMessageContaining("URL");
  }
}
