package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayFixture.count;
import static io.switchboard.gateway.GatewayFixture.http;
import static io.switchboard.gateway.GatewayFixture.url;
import static io.switchboard.gateway.GatewaySocket.message;
import static io.switchboard.gateway.GatewaySocket.offer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The gateway in open mode (the local default): the Kurento tutorial's flow works through it
 * unchanged, and its hygiene holds — forged identity headers are dropped, Origin and per-address
 * connection rate are enforced, big frames are refused, idle sockets are pinged and dead ones
 * closed, HTTP carries security headers, operator APIs need a key.
 */
class OpenModeIT {

  static final String SENDONLY = "01-sendonly-audio-video.offer.chromium.sdp";
  static final String RECVONLY = "02-recvonly-audio-video.offer.chromium.sdp";
  static final GatewayFixture STACK = GatewayFixture.shared();
  static final ConfigurableApplicationContext GATEWAY = STACK.gateway(
      "--switchboard.gateway.allowed-origins=http://app.example,https://*.app.example",
      "--switchboard.gateway.limits.connections-per-second=1",
      "--switchboard.gateway.limits.connection-burst=3",
      "--switchboard.gateway.keep-alive.ping-interval=300ms",
      "--switchboard.gateway.keep-alive.idle-timeout=5s");
  static final HttpClient HTTP = HttpClient.newHttpClient();
  final List<GatewaySocket> sockets = new ArrayList<>();

  @AfterEach
  void closeSockets() {
    sockets.forEach(GatewaySocket::close);
  }

  private GatewaySocket open(GatewaySocket.Builder builder) {
    GatewaySocket s = builder.open();
    sockets.add(s);
    return s;
  }

  private GatewaySocket open() {
    return open(GatewaySocket.to(url(GATEWAY, "/groupcall")));
  }

  private static void publish(GatewaySocket s, String name) {
    s.send(message("receiveVideoFrom").put("sender", name).put("sdpOffer", offer(SENDONLY)));
    assertThat(s.next("receiveVideoAnswer").path("name").asString()).isEqualTo(name);
    candidateFor(s, name);
  }

  private static void subscribe(GatewaySocket s, String sender) {
    s.send(message("receiveVideoFrom").put("sender", sender).put("sdpOffer", offer(RECVONLY)));
    JsonNode answer = s.next("receiveVideoAnswer");
    assertThat(answer.path("name").asString()).isEqualTo(sender);
    assertThat(answer.path("sdpAnswer").asString()).startsWith("v=0");
    candidateFor(s, sender);
  }

  private static void candidateFor(GatewaySocket s, String name) {
    while (!s.next("iceCandidate").path("name").asString().equals(name)) {
      // another endpoint's, still trickling
    }
  }

  @Test
  void aSocketStraightToAPodIsRefusedWhileTheGatewaysOpenSocketsAreServed() {
    // The gateway signs an open-mode assertion for each socket it admits; a pod with the identity
    // secret serves nothing else, forged identity headers or not.
    String pod = STACK.pods.get(0).baseUrl().replace("http://", "ws://") + "/groupcall";
    for (GatewaySocket.Builder straight : List.of(GatewaySocket.to(pod),
        GatewaySocket.to(pod).header("X-Switchboard-Identity", "ceo").header("X-Switchboard-Room", "board")
            .header("X-Switchboard-Grants", "admin"))) {
      GatewaySocket s = open(straight);
      assertThat(s.next("error").path("message").asString())
          .isEqualTo("this pod serves only sockets the gateway admitted: connect through the gateway");
      assertThat(s.awaitClose().code()).isEqualTo(4403);
    }
    GatewaySocket through = open();
    through.send(message("joinRoom").put("name", "dana").put("room", "straight"));
    assertThat(through.next("existingParticipants").path("data")).isEmpty();
  }

  @Test
  void theTutorialsGroupCallWorksThroughTheGatewayUnchanged() {
    // The tutorial's client: no room in the URL, no token, no subprotocol.
    GatewaySocket alice = open();
    GatewaySocket bob = open();
    GatewaySocket carol = open();
    alice.send(message("joinRoom").put("name", "alice").put("room", "tutorial"));
    assertThat(alice.next("existingParticipants").path("data")).isEmpty();
    publish(alice, "alice");
    bob.send(message("joinRoom").put("name", "bob").put("room", "tutorial"));
    assertThat(bob.next("existingParticipants").path("data").get(0).asString()).isEqualTo("alice");
    assertThat(alice.next("newParticipantArrived").path("name").asString()).isEqualTo("bob");
    publish(bob, "bob");
    subscribe(bob, "alice");
    subscribe(alice, "bob");
    carol.send(message("joinRoom").put("name", "carol").put("room", "tutorial"));
    assertThat(carol.next("existingParticipants").path("data")).hasSize(2);
    publish(carol, "carol");
    subscribe(carol, "alice");
    subscribe(carol, "bob");
    // ICE from the browser reaches the pod's endpoint (no error comes back).
    carol.send(message("onIceCandidate").put("name", "alice").set("candidate", GatewaySocket.JSON.createObjectNode()
        .put("candidate", "candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host").put("sdpMid", "0")
        .put("sdpMLineIndex", 0)));
    carol.send(message("leaveRoom"));
    assertThat(alice.next("participantLeft").path("name").asString()).isEqualTo("carol");
    assertThat(bob.next("participantLeft").path("name").asString()).isEqualTo("carol");
    // One room, one pipeline, whatever pods the three landed on.
    assertThat(STACK.redisConnection.sync().hget("sb:{room:tutorial}", "pipelineId")).isNotBlank();
    assertThat(STACK.redisConnection.sync().hkeys("sb:{room:tutorial}:members")).containsExactlyInAnyOrder("alice", "bob");
  }

  @Test
  void aMessageSentTheMomentTheSocketOpensIsNeverLost() throws Exception {
    // The browser sends joinRoom in onopen. Reactor Netty dropped such a frame about once in
    // forty sockets when the upgrade started off the connection's event loop (KeepAliveWebSocketService):
    // 200 sockets would all have got through with a chance of under 1 %.
    // Four at a time (each from its own address): the same 200 sockets in a third of the time.
    java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        done.add(clients.submit(() -> {
          try (GatewaySocket s = GatewaySocket.to(url(GATEWAY, "/groupcall")).open()) {
            s.join("eager-" + n, "eager");
            s.send(message("leaveRoom"));
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void identityHeadersAClientSendsNeverReachThePod() {
    GatewaySocket mallory = open(GatewaySocket.to(url(GATEWAY, "/groupcall"))
        .header("X-Switchboard-Identity", "mallory").header("X-Switchboard-Room", "elsewhere")
        .header("X-Switchboard-Grants", "subscribe"));
    // Had the pod seen them, it would refuse this join (another name, another room) and the publish.
    mallory.join("alice", "headers");
    publish(mallory, "alice");
  }

  @Test
  void onlyAllowedOriginsMayOpenASocket() {
    double before = count(GATEWAY, "switchboard.gateway.rejections", "reason", "origin");
    GatewaySocket evil = open(GatewaySocket.to(url(GATEWAY, "/groupcall")).header("Origin", "http://evil.example"));
    JsonNode error = evil.next("error");
    assertThat(error.path("code").asString()).isEqualTo("not-allowed");
    assertThat(evil.awaitClose()).isEqualTo(new GatewaySocket.Closed(4403, "origin http://evil.example is not allowed"));
    assertThat(count(GATEWAY, "switchboard.gateway.rejections", "reason", "origin") - before).isEqualTo(1);

    open(GatewaySocket.to(url(GATEWAY, "/groupcall")).header("Origin", "http://app.example")).join("ok", "origins");
    open(GatewaySocket.to(url(GATEWAY, "/groupcall")).header("Origin", "https://eu.app.example")).join("ok2", "origins");
    open().join("no-origin", "origins"); // not a browser: nothing to check
  }

  @Test
  void anAddressOpeningSocketsTooFastIsToldToSlowDown() {
    String address = GatewaySocket.freshAddress();
    double before = count(GATEWAY, "switchboard.gateway.rejections", "reason", "rate");
    // A bucket of 3, refilled at 1 a second: opening sockets back to back soon runs it dry.
    long started = System.nanoTime();
    int accepted = 0;
    JsonNode refusal = null;
    GatewaySocket refused = null;
    while (refusal == null && accepted < 20) {
      GatewaySocket s = open(GatewaySocket.to(url(GATEWAY, "/groupcall")).from(address));
      JsonNode answer = s.probe();
      if (answer.path("code").asString().equals("not-joined")) {
        accepted++;
      } else {
        refusal = answer;
        refused = s;
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(refusal).as("no refusal after %d sockets", accepted).isNotNull();
    assertThat(accepted).isGreaterThanOrEqualTo(3).isLessThanOrEqualTo(3 + (int) Math.ceil(seconds));
    assertThat(refusal.path("code").asString()).isEqualTo("rate-limited");
    assertThat(refused.awaitClose().code()).isEqualTo(4429);
    assertThat(count(GATEWAY, "switchboard.gateway.rejections", "reason", "rate") - before).isEqualTo(1);
    // Another address is not affected; this one may connect again once its bucket refills.
    open().join("other", "rate");
    await().pollDelay(Duration.ofMillis(1100)).atMost(Duration.ofSeconds(5)).until(() -> {
      return open(GatewaySocket.to(url(GATEWAY, "/groupcall")).from(address)).admitted();
    });
  }

  @Test
  void aFrameOverTheLimitClosesTheSocketWith1009() throws Exception {
    // The frame's header alone: the gateway refuses by the announced size. (With the payload behind
    // it, the gateway's close leaves unread bytes, the kernel answers them with a reset, and a client
    // may lose the close frame and see 1006 — a race in the test, not what is being tested.)
    try (RawWebSocket raw = RawWebSocket.open(GatewayFixture.http(GATEWAY, "/groupcall"), "Upgrade")) {
      raw.sendFrameHeader(70_000);
      assertThat(raw.closeCode()).isEqualTo(1009);
    }
  }

  @Test
  void idleSocketsArePingedAndASilentOneIsClosed() {
    GatewaySocket live = open();
    live.join("pinged", "keep-alive");
    GatewaySocket silent = open();
    silent.join("silent", "keep-alive");
    silent.answerPings(false);
    await().atMost(Duration.ofSeconds(5)).until(() -> live.pings.get() >= 3);
    assertThat(silent.awaitClose()).isEqualTo(new GatewaySocket.Closed(1001, "idle timeout"));
    // The one that answers pings stays, though it sent nothing else.
    assertThat(live.isOpen()).isTrue();
    live.send(message("chat").put("text", "still here"));
    assertThat(live.next("chatMessage").path("text").asString()).isEqualTo("still here");
  }

  @Test
  void theBrowserClientIsServedWithSecurityHeaders() throws Exception {
    HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(http(GATEWAY, "/"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Switchboard group call</title>").contains("app.js");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
        assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'"));
    assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
    assertThat(page.headers().firstValue("Referrer-Policy")).contains("no-referrer");
    HttpResponse<String> script = HTTP.send(HttpRequest.newBuilder(URI.create(http(GATEWAY, "/app.js"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.body()).contains("joinRoom");
  }

  @Test
  void operatorApisNeedAnApiKey() throws Exception {
    HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(http(GATEWAY, "/api/placement/nodes")))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(GatewaySocket.JSON.readTree(anonymous.body()).path("code").asString()).isEqualTo("invalid-api-key");
    HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(URI.create(http(GATEWAY, "/api/placement/nodes")))
        .header("X-Api-Key", "not-the-key").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(wrong.statusCode()).isEqualTo(401);
    HttpResponse<String> operator = HTTP.send(HttpRequest.newBuilder(URI.create(http(GATEWAY, "/api/placement/nodes")))
        .header("X-Api-Key", GatewayFixture.API_KEY).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(operator.statusCode()).isEqualTo(200);
    assertThat(GatewaySocket.JSON.readTree(operator.body()).get(0).path("url").asString())
        .isEqualTo(STACK.kms.urls().get(0));
    // The gateway presents its own service token to placement, whatever Authorization the client sends.
    HttpResponse<String> withOwnAuthorization = HTTP.send(HttpRequest.newBuilder(URI.create(http(GATEWAY,
        "/api/placement/nodes"))).header("X-Api-Key", GatewayFixture.API_KEY)
        .header("Authorization", "Bearer a-guess-at-the-service-token-0123456789").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(withOwnAuthorization.statusCode()).isEqualTo(200);
    // A gateway without the service token: placement refuses what it forwards, and says why.
    ConfigurableApplicationContext tokenless = STACK.gatewayTo(List.of(STACK.pods.get(0).baseUrl()),
        "--switchboard.service-token=");
    HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(http(tokenless, "/api/placement/nodes")))
        .header("X-Api-Key", GatewayFixture.API_KEY)
        .header("Authorization", io.switchboard.testing.TestCredentials.SERVICE_AUTHORIZATION).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(GatewaySocket.JSON.readTree(refused.body()).path("detail").asString())
        .contains("present switchboard.service-token");
    // Without a secret the gateway cannot issue join tokens, and says why.
    HttpResponse<String> token = HTTP.send(HttpRequest.newBuilder(URI.create(http(GATEWAY, "/api/tokens")))
        .header("X-Api-Key", GatewayFixture.API_KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"identity\":\"alice\",\"room\":\"r\",\"grants\":[\"publish\"]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(token.statusCode()).isEqualTo(501);
    assertThat(token.body()).contains("not-configured");
  }

  @Test
  void theActuatorIsNotOnThePublicPort() throws Exception {
    for (String path : List.of("/actuator/health", "/actuator/prometheus", "/actuator/gateway/routes")) {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(http(GATEWAY, path))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.body()).as(path).doesNotContain("127.0.0.1");
    }
  }

  @Test
  void apiRequestsPerAddressAreLimitedBeforeTheKeyIsLookedAt() throws Exception {
    ConfigurableApplicationContext limited = STACK.gatewayTo(List.of(STACK.pods.get(0).baseUrl()),
        "--switchboard.gateway.limits.api-requests-per-second=1", "--switchboard.gateway.limits.api-burst=3");
    String address = GatewaySocket.freshAddress();
    List<Integer> statuses = new ArrayList<>();
    HttpResponse<String> last;
    HttpResponse<String> refused = null;
    for (int i = 0; i < 8; i++) {
      last = HTTP.send(HttpRequest.newBuilder(URI.create(http(limited, "/api/placement/nodes")))
          .header("X-Forwarded-For", address).header("X-Api-Key", "a-guess-at-an-api-key-" + i).build(),
          HttpResponse.BodyHandlers.ofString());
      statuses.add(last.statusCode());
      if (last.statusCode() == 429) {
        refused = last;
      }
    }
    // Tries within the burst (wrong keys: 401), then refused before the key is even read; a token
    // may come back while the eight go (one a second), never the burst.
    assertThat(statuses.subList(0, 3)).containsOnly(401);
    assertThat(statuses).containsOnly(401, 429).contains(429);
    assertThat(refused.headers().firstValue("Retry-After")).contains("1");
    assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
        .startsWith("application/problem+json"));
    assertThat(GatewaySocket.JSON.readTree(refused.body()).path("code").asString()).isEqualTo("rate-limited");
    assertThat(count(limited, "switchboard.gateway.rejections", "reason", "api-rate"))
        .isEqualTo(statuses.stream().filter(code -> code == 429).count());
    assertThat(count(limited, "switchboard.gateway.rejections", "reason", "api-key"))
        .isEqualTo(statuses.stream().filter(code -> code == 401).count());
    // The token endpoint shares the bucket; another address has its own, and sockets are apart.
    List<Integer> tokenStatuses = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      tokenStatuses.add(HTTP.send(HttpRequest.newBuilder(URI.create(http(limited, "/api/tokens")))
          .header("X-Forwarded-For", address).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
    assertThat(tokenStatuses).contains(429); // at most one token came back meanwhile
    HttpResponse<String> other = HTTP.send(HttpRequest.newBuilder(URI.create(http(limited, "/api/placement/nodes")))
        .header("X-Forwarded-For", GatewaySocket.freshAddress()).header("X-Api-Key", GatewayFixture.API_KEY).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(200);
    GatewaySocket socket = open(GatewaySocket.to(url(limited, "/groupcall")).from(address));
    socket.send(message("joinRoom").put("name", "erin").put("room", "api-limited"));
    assertThat(socket.next("existingParticipants").path("data")).isEmpty();
  }

  @Test
  void pathsThatCouldClimbOutOfTheApiAreRefused() throws Exception {
    for (String path : List.of("/api/state/../actuator/prometheus", "/api/placement/%2e%2e/actuator/health",
        "/api/state/rooms%2f..%2f..%2factuator", "/api/placement//nodes")) {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(http(GATEWAY, path)))
          .header("X-Api-Key", GatewayFixture.API_KEY).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(400);
      assertThat(response.body()).as(path).contains("invalid-path");
    }
  }

  @Test
  void aPodThatNeverAnswersTheHandshakeIsGivenUpOnAndTheClientsPlaceFreed() throws Exception {
    // A "pod" that is ready by its health check but never answers a WebSocket handshake.
    try (FakePod mute = new FakePod(200)) {
      ConfigurableApplicationContext gateway = STACK.gatewayTo(List.of(mute.url()),
          "--switchboard.gateway.keep-alive.pod-handshake-timeout=1s");
      String address = GatewaySocket.freshAddress();
      GatewaySocket s = open(GatewaySocket.to(url(gateway, "/groupcall")).from(address));
      assertThat(s.next("error").path("code").asString()).isEqualTo("unavailable");
      assertThat(s.awaitClose()).isEqualTo(new GatewaySocket.Closed(1011, "signaling pod unreachable; retry"));
      assertThat(count(gateway, "switchboard.gateway.upgrades", "outcome", "failed")).isEqualTo(1);
      // Its place under the per-address cap and its count against the pod are given back.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(STACK.redisConnection.sync().zcard("gw:sockets:" + address)).isZero();
        assertThat(GatewayFixture.openSockets(gateway)).isZero();
      });
    }
  }

  @Test
  void aPodThatIsUpButNotReadyGetsNoSockets() throws Exception {
    // Listed by discovery, alive, but its readiness says 503 (it is stopping, or lost Redis).
    try (FakePod unready = new FakePod(503)) {
      ConfigurableApplicationContext gateway = STACK.gatewayTo(List.of(STACK.pods.get(0).baseUrl(), unready.url()));
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
        open(GatewaySocket.to(url(gateway, "/groupcall"))).join("first-" + System.nanoTime(), "unready");
        return true;
      });
      // Least-loaded would alternate between the two: every socket lands on the ready one.
      for (int i = 0; i < 6; i++) {
        open(GatewaySocket.to(url(gateway, "/groupcall"))).join("u" + i, "unready");
        assertThat(STACK.podOf("unready", "u" + i)).isEqualTo("pod-0");
      }
    }
  }

  @Test
  void withNoReadySignalingPodASocketIsToldToRetry() {
    ConfigurableApplicationContext nowhere = STACK.gatewayTo(List.of("http://127.0.0.1:" + io.switchboard.launchers.LoopbackPorts.free()));
    GatewaySocket s = GatewaySocket.to(url(nowhere, "/groupcall")).open();
    assertThat(s.next("error").path("code").asString()).isEqualTo("unavailable");
    assertThat(s.awaitClose().code()).isEqualTo(1013);
    assertThat(count(nowhere, "switchboard.gateway.rejections", "reason", "no-pod")).isEqualTo(1);
  }
}
