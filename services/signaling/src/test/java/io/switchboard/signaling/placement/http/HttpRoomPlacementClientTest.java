package io.switchboard.signaling.placement.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;

/** The placement client's way through before the pod turns ready: read-only, and never in the way. */
class HttpRoomPlacementClientTest {

  final List<String> asked = new CopyOnWriteArrayList<>();
  HttpServer placement;

  HttpRoomPlacementClient client(int status) throws Exception {
    placement = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    placement.createContext("/", exchange -> {
      asked.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " "
          + exchange.getRequestHeaders().getFirst("Authorization"));
      byte[] body = "{\"type\":\"about:blank\",\"code\":\"not-placed\"}".getBytes();
      exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    placement.start();
    return new HttpRoomPlacementClient(RestClient.builder()
        .baseUrl("http://127.0.0.1:" + placement.getAddress().getPort())
        .defaultHeader("Authorization", "Bearer token").build());
  }

  @AfterEach
  void stop() {
    if (placement != null) {
      placement.stop(0);
    }
  }

  @Test
  void itAsksForThePlacementOfARoomThatCannotExistAndPlacesNothing() throws Exception {
    client(404).prepare();

    assertThat(asked).hasSize(5).allMatch(r -> r.equals("GET /v1/rooms/~rehearsal/placement Bearer token"));
  }

  @Test
  void aPlacementThatRefusesOrIsAwayIsNotThePodsProblemYet() throws Exception {
    client(401).prepare(); // logged: the first room opened says what to fix
    assertThat(asked).hasSize(1);
    stop();

    new HttpRoomPlacementClient(RestClient.builder().baseUrl("http://127.0.0.1:"
        + io.switchboard.launchers.LoopbackPorts.free()).build()).prepare();
  }
}
