package io.switchboard.gateway.tokens;

import io.switchboard.groupcall.protocol.Grant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.switchboard.gateway.config.GatewayProperties;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JoinTokensTest {

  static final String SECRET = "0123456789abcdef0123456789abcdef-secret";
  static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  static GatewayProperties.Tokens settings(String secret, String issuer, String audience) {
    return new GatewayProperties.Tokens(secret, null, issuer, audience, Duration.ofHours(24), Duration.ofSeconds(30));
  }

  final JoinTokens tokens = new JoinTokens(settings(SECRET, "", ""), CLOCK);

  static String sign(String secret, JWTClaimsSet claims) throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  static JWTClaimsSet.Builder claims(String room, List<String> grants, Instant expires) {
    return new JWTClaimsSet.Builder().subject("alice").claim("room", room).claim("grants", grants)
        .expirationTime(Date.from(expires));
  }

  @Test
  void anIssuedTokenVerifiesToWhatWasAskedFor() {
    String token = tokens.issue("alice", "standup", Set.of(Grant.PUBLISH, Grant.SUBSCRIBE), Duration.ofMinutes(10));
    JoinToken verified = tokens.verify(token);
    assertThat(verified).isEqualTo(new JoinToken("alice", "standup", Set.of(Grant.PUBLISH, Grant.SUBSCRIBE),
        NOW.plus(Duration.ofMinutes(10))));
  }

  @Test
  void expiryIsCheckedWithTheConfiguredSkew() throws JOSEException {
    String justExpired = sign(SECRET, claims("r", List.of("publish"), NOW.minusSeconds(20)).build());
    assertThat(tokens.verify(justExpired).identity()).isEqualTo("alice"); // within 30 s of skew
    String expired = sign(SECRET, claims("r", List.of("publish"), NOW.minusSeconds(60)).build());
    assertThatThrownBy(() -> tokens.verify(expired)).hasMessage("token expired");
  }

  @Test
  void aTokenThatLivesLongerThanTheMaxTtlIsRefusedWhoeverSignedIt() throws JOSEException {
    String day = sign(SECRET, claims("r", List.of("publish"), NOW.plus(Duration.ofHours(24))).build());
    assertThat(tokens.verify(day).identity()).isEqualTo("alice");
    String dayAndSkew = sign(SECRET, claims("r", List.of("publish"), NOW.plus(Duration.ofHours(24)).plusSeconds(20)).build());
    assertThat(tokens.verify(dayAndSkew).identity()).as("within 30 s of skew").isEqualTo("alice");
    String dayAndAMinute = sign(SECRET, claims("r", List.of("publish"), NOW.plus(Duration.ofHours(24)).plusSeconds(60)).build());
    assertThatThrownBy(() -> tokens.verify(dayAndAMinute)).isInstanceOf(TokenRejectedException.class)
        .hasMessage("token lives longer than this gateway allows (at most PT24H from now): issue it with an earlier exp");
    String decade = sign(SECRET, claims("r", List.of("admin"), NOW.plus(Duration.ofDays(3650))).build());
    assertThatThrownBy(() -> tokens.verify(decade)).hasMessageStartingWith("token lives longer");
  }

  @Test
  void forgedUnsignedOrOtherAlgorithmTokensAreRefused() throws Exception {
    String forged = sign("another-secret-another-secret-another", claims("r", List.of("publish"), NOW.plusSeconds(60)).build());
    assertThatThrownBy(() -> tokens.verify(forged)).hasMessage("token signature invalid");
    String plain = new PlainJWT(new PlainHeader(), claims("r", List.of("publish"), NOW.plusSeconds(60)).build()).serialize();
    assertThatThrownBy(() -> tokens.verify(plain)).isInstanceOf(TokenRejectedException.class);
    SignedJWT rs = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims("r", List.of("publish"), NOW.plusSeconds(60)).build());
    rs.sign(new RSASSASigner(new RSAKeyGenerator(2048).generate()));
    assertThatThrownBy(() -> tokens.verify(rs.serialize())).isInstanceOf(TokenRejectedException.class);
    assertThatThrownBy(() -> tokens.verify(null)).hasMessage("a join token is required");
    assertThatThrownBy(() -> tokens.verify("a.b")).hasMessage("token malformed");
  }

  @Test
  void requiredClaimsAndGrantsAreChecked() throws JOSEException {
    String noRoom = sign(SECRET, new JWTClaimsSet.Builder().subject("alice").claim("grants", List.of("publish"))
        .expirationTime(Date.from(NOW.plusSeconds(60))).build());
    assertThatThrownBy(() -> tokens.verify(noRoom)).hasMessageStartingWith("token claims invalid");
    String noExpiry = sign(SECRET, new JWTClaimsSet.Builder().subject("alice").claim("room", "r")
        .claim("grants", List.of("publish")).build());
    assertThatThrownBy(() -> tokens.verify(noExpiry)).hasMessageStartingWith("token claims invalid");
    String unknownGrant = sign(SECRET, claims("r", List.of("publish", "fly"), NOW.plusSeconds(60)).build());
    assertThatThrownBy(() -> tokens.verify(unknownGrant)).hasMessageContaining("unknown grant 'fly'");
    String anyRoom = sign(SECRET, claims("*", List.of("publish"), NOW.plusSeconds(60)).build());
    assertThatThrownBy(() -> tokens.verify(anyRoom)).hasMessage("token for any room without the admin grant");
    String admin = sign(SECRET, claims("*", List.of("admin"), NOW.plusSeconds(60)).build());
    assertThat(tokens.verify(admin).grants()).containsExactly(Grant.ADMIN);
  }

  @Test
  void issuerAndAudienceAreRequiredWhenConfigured() throws JOSEException {
    JoinTokens strict = new JoinTokens(settings(SECRET, "https://app.example", "switchboard"), CLOCK);
    String issued = strict.issue("alice", "r", Set.of(Grant.SUBSCRIBE), Duration.ofMinutes(1));
    assertThat(strict.verify(issued).room()).isEqualTo("r");
    String other = sign(SECRET, claims("r", List.of("publish"), NOW.plusSeconds(60)).issuer("https://evil.example")
        .audience("switchboard").build());
    assertThatThrownBy(() -> strict.verify(other)).hasMessageStartingWith("token claims invalid");
    String noAudience = sign(SECRET, claims("r", List.of("publish"), NOW.plusSeconds(60)).issuer("https://app.example").build());
    assertThatThrownBy(() -> strict.verify(noAudience)).hasMessageStartingWith("token claims invalid");
  }

  @Test
  void rs256TokensVerifyAgainstTheIdentityProvidersJwks() throws Exception {
    com.nimbusds.jose.jwk.RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
    com.nimbusds.jose.jwk.RSAKey stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
    byte[] jwks = new com.nimbusds.jose.jwk.JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    com.sun.net.httpserver.HttpServer idp = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    idp.createContext("/jwks.json", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, jwks.length);
      exchange.getResponseBody().write(jwks);
      exchange.close();
    });
    idp.start();
    try {
      JoinTokens viaJwks = new JoinTokens(new GatewayProperties.Tokens("", java.net.URI.create(
          "http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks.json"), "", "", Duration.ofHours(24),
          Duration.ofSeconds(30)), CLOCK);
      assertThat(viaJwks.configured()).isTrue();
      assertThat(viaJwks.canIssue()).isFalse(); // the identity provider issues them
      SignedJWT good = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(),
          claims("standup", List.of("publish"), NOW.plusSeconds(60)).build());
      good.sign(new RSASSASigner(key));
      assertThat(viaJwks.verify(good.serialize()).room()).isEqualTo("standup");
      SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(),
          claims("standup", List.of("publish"), NOW.plusSeconds(60)).build());
      forged.sign(new RSASSASigner(stranger));
      assertThatThrownBy(() -> viaJwks.verify(forged.serialize())).hasMessage("token signature invalid");
      // An HS256 token made with the public key as a secret (the algorithm-confusion attack) fails.
      String confused = sign(new String(key.toPublicJWK().toRSAPublicKey().getEncoded(), StandardCharsets.ISO_8859_1)
          + "-padding-to-32-bytes-at-least", claims("standup", List.of("publish"), NOW.plusSeconds(60)).build());
      assertThatThrownBy(() -> viaJwks.verify(confused)).isInstanceOf(TokenRejectedException.class);
    } finally {
      idp.stop(0);
    }
  }

  @Test
  void aShortSecretIsAConfigurationErrorAndNoKeysMeansNoVerifying() {
    assertThatThrownBy(() -> new JoinTokens(settings("short", "", ""), CLOCK))
        .hasMessageContaining("at least 32 bytes");
    JoinTokens none = new JoinTokens(settings("", "", ""), CLOCK);
    assertThat(none.configured()).isFalse();
    assertThat(none.canIssue()).isFalse();
    assertThatThrownBy(() -> none.verify("x.y.z")).hasMessage("this gateway has no token keys configured");
    assertThatThrownBy(() -> tokens.issue("a", "r", Set.of(Grant.PUBLISH), Duration.ofDays(2)))
        .hasMessageContaining("at most");
  }
}
