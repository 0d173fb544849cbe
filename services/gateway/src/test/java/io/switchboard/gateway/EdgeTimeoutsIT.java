package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayFixture.http;
import static io.switchboard.gateway.GatewayFixture.url;
import static io.switchboard.gateway.GatewaySocket.message;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway does not wait for ever: a client that opens a connection and sends nothing, or sends
 * a request's headers and then its body never, is cut off; a request to state or placement that
 * gets no answer ends in 504. What must last does: the change stream once it has started, and a
 * WebSocket however quiet.
 */
class EdgeTimeoutsIT {

  static final GatewayFixture STACK = GatewayFixture.shared();
  static final HttpServer UPSTREAM = slowState();
  static final ConfigurableApplicationContext GATEWAY = STACK.gateway(
      "--switchboard.gateway.state-url=http://127.0.0.1:" + UPSTREAM.getAddress().getPort(),
      "--switchboard.gateway.timeouts.api-response=1s",
      "--switchboard.gateway.timeouts.request=1s",
      "--switchboard.gateway.timeouts.read=1s",
      "--server.netty.idle-timeout=1s",
      "--switchboard.gateway.keep-alive.ping-interval=60s",
      "--switchboard.gateway.keep-alive.idle-timeout=120s");
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @AfterAll
  static void stop() {
    UPSTREAM.stop(0);
  }

  /** A stand-in for the state service: /v1/slow answers after 3 s, /v1/stream is an SSE stream with a 3 s gap. */
  private static HttpServer slowState() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/v1/slow", exchange -> {
        sleep(3000);
        byte[] body = "{\"late\":true}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      server.createContext("/v1/stream", exchange -> {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        out.write("data: first\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        sleep(3000);
        out.write("data: second\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        exchange.close();
      });
      server.setExecutor(Executors.newCachedThreadPool());
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Socket raw() throws IOException {
    Socket socket = new Socket("127.0.0.1",
        Integer.parseInt(GATEWAY.getEnvironment().getRequiredProperty("local.server.port")));
    // Far longer than the gateway's timeouts: a read that times out here means the gateway waited.
    socket.setSoTimeout(15_000);
    return socket;
  }

  /** Everything the gateway sends until it closes the connection. */
  private static String untilClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void anUpstreamThatDoesNotAnswerEndsIn504() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(http(GATEWAY, "/api/state/slow")))
        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).doesNotContain("late");
  }

  /** Nothing listens at state's address: 503 unavailable naming it, with Retry-After — not a 500. */
  @Test
  void anUpstreamThatCannotBeReachedIs503Unavailable() throws Exception {
    ConfigurableApplicationContext nowhere = STACK.gateway(
        "--switchboard.gateway.state-url=http://127.0.0.1:" + io.switchboard.launchers.LoopbackPorts.free());
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(http(nowhere, "/api/state/rooms")))
        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(GatewaySocket.JSON.readTree(response.body()).path("code").asString()).isEqualTo("unavailable");
    assertThat(response.body()).contains("the state service could not be reached; retry shortly");
  }

  @Test
  void theChangeStreamOnceStartedOutlastsTheResponseTimeout() throws Exception {
    HttpResponse<java.util.stream.Stream<String>> response = HTTP.send(HttpRequest.newBuilder(
        URI.create(http(GATEWAY, "/api/state/stream"))).timeout(Duration.ofSeconds(15)).build(),
        HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> data = response.body().filter(line -> line.startsWith("data:")).toList();
    assertThat(data).containsExactly("data: first", "data: second");
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() throws Exception {
    try (Socket socket = raw()) {
      assertThat(untilClosed(socket)).isEmpty();
    }
  }

  @Test
  void aRequestWhoseBodyNeverComesIsCutOff() throws Exception {
    try (Socket socket = raw()) {
      socket.getOutputStream().write(("POST /api/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "X-Api-Key: " + GatewayFixture.API_KEY + "\r\nContent-Length: 200\r\n\r\n{\"room\":").getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      double before = GatewayFixture.count(GATEWAY, "switchboard.gateway.rejections", "reason", "slow-request");
      String answer = untilClosed(socket);
      assertThat(answer).startsWith("HTTP/1.1 408").contains("application/problem+json").contains("request-timeout");
      assertThat(GatewayFixture.count(GATEWAY, "switchboard.gateway.rejections", "reason", "slow-request"))
          .isEqualTo(before + 1);
    }
  }

  @Test
  void aQuietWebSocketOutlivesEveryRequestTimeout() throws Exception {
    try (GatewaySocket quiet = GatewaySocket.to(url(GATEWAY, "/groupcall")).open()) {
      // Three times every request, read and idle timeout, with nothing sent either way.
      Thread.sleep(3000);
      quiet.send(message("joinRoom").put("name", "hush").put("room", "quiet-room"));
      assertThat(quiet.next("existingParticipants").path("data").isArray()).isTrue();
    }
  }
}
