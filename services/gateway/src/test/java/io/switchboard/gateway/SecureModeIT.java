package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayFixture.count;
import static io.switchboard.gateway.GatewayFixture.http;
import static io.switchboard.gateway.GatewayFixture.url;
import static io.switchboard.gateway.GatewaySocket.message;
import static io.switchboard.gateway.GatewaySocket.offer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.switchboard.gateway.routing.PodChoice;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The gateway in secure mode: a socket needs a join token, whose identity, room and grants the
 * signaling pod then enforces. Every refusal says why, in an {@code error} and the close reason.
 */
class SecureModeIT {

  static final GatewayFixture STACK = GatewayFixture.shared();
  static final ConfigurableApplicationContext GATEWAY = STACK.gateway(
      "--switchboard.gateway.mode=secure",
      "--switchboard.gateway.tokens.secret=" + GatewayFixture.SECRET,
      "--switchboard.gateway.limits.sockets-per-address=2",
      "--switchboard.gateway.limits.connections-per-second=50",
      "--switchboard.gateway.limits.connection-burst=50");
  static final HttpClient HTTP = HttpClient.newHttpClient();
  final List<GatewaySocket> sockets = new ArrayList<>();

  @AfterEach
  void closeSockets() {
    sockets.forEach(GatewaySocket::close);
  }

  /** A token from the gateway's own endpoint, as a trusted back end gets it. */
  static String token(String identity, String room, String... grants) {
    JsonNode issued = issue("{\"identity\":\"" + identity + "\",\"room\":\"" + room + "\",\"grants\":"
        + GatewaySocket.JSON.writeValueAsString(List.of(grants)) + ",\"ttl\":\"10m\"}", GatewayFixture.API_KEY, 201);
    return issued.path("token").asString();
  }

  static JsonNode issue(String body, String apiKey, int expectedStatus) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(http(GATEWAY, "/api/tokens")))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
      if (apiKey != null) {
        request.header("X-Api-Key", apiKey);
      }
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
      return GatewaySocket.JSON.readTree(response.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A token signed here: with another secret (forged), or already expired. */
  static String signed(String secret, String identity, String room, List<String> grants, Instant expires) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
          .subject(identity).claim("room", room).claim("grants", grants).expirationTime(Date.from(expires)).build());
      jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
      return jwt.serialize();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private GatewaySocket open(GatewaySocket.Builder builder) {
    GatewaySocket s = builder.open();
    sockets.add(s);
    return s;
  }

  private GatewaySocket withToken(String token) {
    return open(GatewaySocket.to(url(GATEWAY, "/groupcall?access_token=" + token)));
  }

  private static void refusedAtTheDoor(GatewaySocket s, String reason) {
    JsonNode error = s.next("error");
    assertThat(error.path("code").asString()).isEqualTo("invalid-token");
    assertThat(error.path("message").asString()).isEqualTo(reason);
    assertThat(s.awaitClose()).isEqualTo(new GatewaySocket.Closed(4401, reason));
  }

  @Test
  void aSocketWithoutAGoodTokenIsRefusedWithTheReason() {
    double before = count(GATEWAY, "switchboard.gateway.rejections", "reason", "token");
    refusedAtTheDoor(open(GatewaySocket.to(url(GATEWAY, "/groupcall"))), "a join token is required");
    String forged = signed("another-secret-that-is-also-32-bytes-long!", "alice", "standup",
        List.of("publish", "subscribe"), Instant.now().plusSeconds(600));
    refusedAtTheDoor(withToken(forged), "token signature invalid");
    String expired = signed(GatewayFixture.SECRET, "alice", "standup", List.of("publish", "subscribe"),
        Instant.now().minusSeconds(120));
    refusedAtTheDoor(withToken(expired), "token expired");
    refusedAtTheDoor(withToken("not.a.jwt"), "token malformed");
    String grantsNothing = signed(GatewayFixture.SECRET, "alice", "standup", List.of(), Instant.now().plusSeconds(600));
    refusedAtTheDoor(withToken(grantsNothing), "token grants nothing");
    assertThat(count(GATEWAY, "switchboard.gateway.rejections", "reason", "token") - before).isEqualTo(5);
  }

  @Test
  void aGoodTokenJoinsItsRoomAsItsIdentityByQueryOrSubprotocol() {
    GatewaySocket alice = withToken(token("alice", "standup", "publish", "subscribe"));
    alice.join("alice", "standup");
    alice.send(message("receiveVideoFrom").put("sender", "alice").put("sdpOffer",
        offer(OpenModeIT.SENDONLY)));
    assertThat(alice.next("receiveVideoAnswer").path("name").asString()).isEqualTo("alice");

    // Browsers cannot set headers: the token rides as a subprotocol next to "switchboard".
    GatewaySocket bob = open(GatewaySocket.to(url(GATEWAY, "/groupcall"))
        .protocols("switchboard", "access_token." + token("bob", "standup", "subscribe")));
    assertThat(bob.protocol()).isEqualTo("switchboard");
    bob.join("bob", "standup");
    bob.send(message("receiveVideoFrom").put("sender", "alice").put("sdpOffer", offer(OpenModeIT.RECVONLY)));
    assertThat(bob.next("receiveVideoAnswer").path("name").asString()).isEqualTo("alice");
  }

  @Test
  void theTokensRoomPicksThePodAsARoomInTheUrlDoes() {
    for (String name : List.of("ann", "ben", "cat")) {
      GatewaySocket s = withToken(token(name, "token-room", "subscribe"));
      s.join(name, "token-room");
      String expected = "pod-" + List.of(STACK.key(0), STACK.key(1), STACK.key(2))
          .indexOf(PodChoice.rendezvous(List.of(STACK.key(0), STACK.key(1), STACK.key(2)), "token-room"));
      assertThat(STACK.podOf("token-room", name)).isEqualTo(expected);
    }
  }

  @Test
  void joiningAnotherRoomOrUnderAnotherNameThanTheTokensIsRefusedAndCloses() {
    GatewaySocket wrongRoom = withToken(token("alice", "standup", "publish", "subscribe"));
    wrongRoom.send(message("joinRoom").put("name", "alice").put("room", "board-meeting"));
    JsonNode error = wrongRoom.next("error");
    assertThat(error.path("code").asString()).isEqualTo("not-allowed");
    assertThat(wrongRoom.awaitClose())
        .isEqualTo(new GatewaySocket.Closed(4403, "the join token is for room standup, not board-meeting"));
    assertThat(STACK.redisConnection.sync().exists("sb:{room:board-meeting}:members")).isZero();

    GatewaySocket wrongName = withToken(token("alice", "standup", "publish", "subscribe"));
    wrongName.send(message("joinRoom").put("name", "the boss").put("room", "standup"));
    assertThat(wrongName.next("error").path("code").asString()).isEqualTo("not-allowed");
    assertThat(wrongName.awaitClose()).isEqualTo(new GatewaySocket.Closed(4403, "the join token is for alice, not the boss"));
  }

  @Test
  void anActionTheTokenDoesNotGrantIsRefusedAndTheSocketCarriesOn() {
    GatewaySocket presenter = withToken(token("host", "grants", "publish"));
    presenter.join("host", "grants");
    presenter.send(message("receiveVideoFrom").put("sender", "host").put("sdpOffer", offer(OpenModeIT.SENDONLY)));
    presenter.next("receiveVideoAnswer");

    GatewaySocket viewer = withToken(token("viewer", "grants", "subscribe"));
    viewer.join("viewer", "grants");
    viewer.send(message("receiveVideoFrom").put("sender", "viewer").put("sdpOffer", offer(OpenModeIT.SENDONLY))
        .put("requestId", "pub-1"));
    JsonNode refused = viewer.next("error");
    assertThat(refused.path("code").asString()).isEqualTo("not-allowed");
    assertThat(refused.path("message").asString()).contains("publish grant");
    assertThat(refused.path("requestId").asString()).isEqualTo("pub-1");
    viewer.send(message("startRecording"));
    assertThat(viewer.next("error").path("message").asString()).contains("record grant");
    // Still in the room, and what it may do works.
    viewer.send(message("receiveVideoFrom").put("sender", "host").put("sdpOffer", offer(OpenModeIT.RECVONLY)));
    assertThat(viewer.next("receiveVideoAnswer").path("name").asString()).isEqualTo("host");
    // The publisher may not subscribe.
    presenter.send(message("receiveVideoFrom").put("sender", "viewer").put("sdpOffer", offer(OpenModeIT.RECVONLY)));
    assertThat(presenter.next("error").path("message").asString()).contains("subscribe grant");
  }

  @Test
  void aClientCannotClaimAnIdentityByHeader() {
    // Forged identity headers are replaced by the token's: joining under the forged name fails.
    GatewaySocket s = open(GatewaySocket.to(url(GATEWAY, "/groupcall?access_token="
            + token("alice", "spoof", "subscribe")))
        .header("X-Switchboard-Identity", "mallory").header("X-Switchboard-Grants", "admin"));
    s.send(message("joinRoom").put("name", "mallory").put("room", "spoof"));
    assertThat(s.next("error").path("message").asString()).isEqualTo("the join token is for alice, not mallory");
    assertThat(s.awaitClose().code()).isEqualTo(4403);
  }

  @Test
  void aClientCannotHaveTheProxyDropItsVerifiedIdentity() throws Exception {
    // Headers named in Connection are hop-by-hop: a proxy drops them. Had the gateway forwarded
    // this Connection header, the pod would see no identity at all and let mallory in anywhere.
    String token = token("alice", "hop", "subscribe");
    try (RawWebSocket raw = RawWebSocket.open(GatewayFixture.http(GATEWAY, "/groupcall?access_token=" + token),
        "Upgrade, X-Switchboard-Identity, X-Switchboard-Room, X-Switchboard-Grants")) {
      raw.sendText("{\"id\":\"joinRoom\",\"name\":\"mallory\",\"room\":\"anywhere\"}");
      JsonNode answer = GatewaySocket.JSON.readTree(raw.nextText());
      assertThat(answer.path("id").asString()).isEqualTo("error");
      assertThat(answer.path("message").asString()).isEqualTo("the join token is for alice, not mallory");
    }
    assertThat(STACK.redisConnection.sync().exists("sb:{room:anywhere}:members")).isZero();
  }

  @Test
  void anAddressMayHoldOnlySoManySocketsAtOnce() {
    String address = GatewaySocket.freshAddress();
    String token = token("many", "cap", "subscribe");
    GatewaySocket first = open(GatewaySocket.to(url(GATEWAY, "/groupcall?access_token=" + token)).from(address));
    GatewaySocket second = open(GatewaySocket.to(url(GATEWAY, "/groupcall?access_token=" + token)).from(address));
    assertThat(first.admitted()).isTrue();
    assertThat(second.admitted()).isTrue();
    GatewaySocket third = open(GatewaySocket.to(url(GATEWAY, "/groupcall?access_token=" + token)).from(address));
    assertThat(third.next("error").path("code").asString()).isEqualTo("rate-limited");
    assertThat(third.awaitClose()).isEqualTo(new GatewaySocket.Closed(4429, "too many open sockets from this address (2)"));
    // Another address is not counted with it; a closed socket frees its place.
    open(GatewaySocket.to(url(GATEWAY, "/groupcall?access_token=" + token))).join("many", "cap");
    first.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      return open(GatewaySocket.to(url(GATEWAY, "/groupcall?access_token=" + token)).from(address)).admitted();
    });
  }

  @Test
  void theTokenEndpointServesOnlyTrustedBackEndsAndRefusesBadRequestsClearly() {
    assertThat(issue("{\"identity\":\"a\",\"room\":\"r\",\"grants\":[\"publish\"]}", null, 401).path("code").asString())
        .isEqualTo("invalid-api-key");
    assertThat(issue("{\"identity\":\"a\",\"room\":\"r\",\"grants\":[\"publish\"]}", "wrong", 401).path("code").asString())
        .isEqualTo("invalid-api-key");
    assertThat(issue("not json", GatewayFixture.API_KEY, 400).path("code").asString()).isEqualTo("invalid-request");
    assertThat(issue("{\"identity\":\"<script>\",\"room\":\"r\",\"grants\":[\"publish\"]}", GatewayFixture.API_KEY, 400)
        .path("code").asString()).isEqualTo("invalid-identity");
    assertThat(issue("{\"identity\":\"a\",\"room\":\"\",\"grants\":[\"publish\"]}", GatewayFixture.API_KEY, 400)
        .path("code").asString()).isEqualTo("invalid-room");
    // One name, one spelling: as joinRoom, an identity or room with a space at an end or not in NFC.
    assertThat(issue("{\"identity\":\"alice \",\"room\":\"r\",\"grants\":[\"publish\"]}", GatewayFixture.API_KEY, 400)
        .path("detail").asString()).contains("must not begin or end with a space");
    assertThat(issue("{\"identity\":\"\u212Bsa\",\"room\":\"r\",\"grants\":[\"publish\"]}", GatewayFixture.API_KEY, 400)
        .path("code").asString()).isEqualTo("invalid-identity");
    assertThat(issue("{\"identity\":\"a\",\"room\":\" r\",\"grants\":[\"publish\"]}", GatewayFixture.API_KEY, 400)
        .path("code").asString()).isEqualTo("invalid-room");
    assertThat(issue("{\"identity\":\"a\",\"room\":\"r\",\"grants\":[\"fly\"]}", GatewayFixture.API_KEY, 400)
        .path("detail").asString()).contains("unknown grant 'fly'");
    assertThat(issue("{\"identity\":\"a\",\"room\":\"r\",\"grants\":[]}", GatewayFixture.API_KEY, 400)
        .path("code").asString()).isEqualTo("invalid-grants");
    assertThat(issue("{\"identity\":\"a\",\"room\":\"*\",\"grants\":[\"publish\"]}", GatewayFixture.API_KEY, 400)
        .path("detail").asString()).contains("admin");
    assertThat(issue("{\"identity\":\"a\",\"room\":\"r\",\"grants\":[\"publish\"],\"ttl\":\"30d\"}", GatewayFixture.API_KEY,
        400).path("code").asString()).isEqualTo("invalid-ttl");
    assertThat(issue("{\"identity\":\"a\",\"room\":\"r\",\"grants\":[\"publish\"],\"ttl\":\"soon\"}", GatewayFixture.API_KEY,
        400).path("code").asString()).isEqualTo("invalid-ttl");

    JsonNode issued = issue("{\"identity\":\"Zoë\",\"room\":\"Q&A (EU)\",\"grants\":[\"subscribe\",\"publish\"]}",
        GatewayFixture.API_KEY, 201);
    assertThat(issued.path("identity").asString()).isEqualTo("Zoë");
    assertThat(issued.path("grants").toString()).isEqualTo("[\"publish\",\"subscribe\"]");
    assertThat(Duration.between(Instant.now(), Instant.parse(issued.path("expiresAt").asString())))
        .isBetween(Duration.ofMinutes(58), Duration.ofMinutes(61)); // the default: one hour
    // Non-ASCII identities and rooms travel to the pod intact.
    GatewaySocket zoe = withToken(issued.path("token").asString());
    zoe.join("Zoë", "Q&A (EU)");
  }

  @Test
  void theUrlTheEndpointReturnsIsTheOneToConnectTo() {
    JsonNode issued = issue("{\"identity\":\"url\",\"room\":\"links\",\"grants\":[\"subscribe\"]}",
        GatewayFixture.API_KEY, 201);
    assertThat(issued.path("url").asString()).startsWith("/groupcall?access_token=");
    GatewaySocket s = open(GatewaySocket.to(url(GATEWAY, issued.path("url").asString())));
    s.join("url", "links");
    assertThat(URLEncoder.encode(issued.path("token").asString(), StandardCharsets.UTF_8))
        .isEqualTo(issued.path("token").asString()); // a JWT needs no escaping in a URL
  }
}
