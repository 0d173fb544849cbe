package io.switchboard.signaling.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.switchboard.groupcall.protocol.Grant;
import io.switchboard.groupcall.protocol.IdentityHeaders;
import io.switchboard.signaling.domain.Access;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

/** Whom a pod serves, for each combination of identity secret and require-identity. */
class IdentityPolicyTest {

  static final String SECRET = "the-gateway-and-pods-share-this-32-bytes+";

  static HttpHeaders headers(Map<String, String> values) {
    HttpHeaders headers = new HttpHeaders();
    values.forEach(headers::set);
    return headers;
  }

  static String signed(String secret, JWTClaimsSet.Builder claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.audience(IdentityHeaders.AUDIENCE)
        .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  static String alice(String secret) throws Exception {
    return signed(secret, new JWTClaimsSet.Builder().subject("alice").claim("room", "standup")
        .claim("grants", List.of("subscribe")));
  }

  static String open(String secret) throws Exception {
    return signed(secret, new JWTClaimsSet.Builder().claim(IdentityHeaders.OPEN_CLAIM, true));
  }

  static final Map<String, String> FORGED = Map.of(IdentityHeaders.IDENTITY, "ceo", IdentityHeaders.ROOM, "board",
      IdentityHeaders.GRANTS, "admin");

  @Test
  void withASecretOnlyWhatTheGatewaySignedCountsWhateverRequireIdentitySays() throws Exception {
    for (Boolean require : new Boolean[] {null, false, true}) {
      IdentityPolicy policy = IdentityPolicy.of(require, SECRET);
      assertThat(policy.mode()).isEqualTo(IdentityPolicy.Mode.SIGNED);
      assertThat(policy.startupWarning()).isNull();
      assertThat(policy.admit(headers(Map.of())).refusal()).isEqualTo(IdentityPolicy.NO_ASSERTION);
      assertThat(policy.admit(headers(FORGED)).refusal()).isEqualTo(IdentityPolicy.NO_ASSERTION);
      assertThat(policy.admit(headers(Map.of(IdentityHeaders.ASSERTION, alice("another-secret-another-secret-another!"))))
          .refusal()).isEqualTo(IdentityPolicy.BAD_ASSERTION);
      assertThat(policy.admit(headers(Map.of(IdentityHeaders.ASSERTION, "not.a.jwt"))).refusal())
          .isEqualTo(IdentityPolicy.BAD_ASSERTION);
      IdentityPolicy.Admission signed = policy.admit(headers(Map.of(IdentityHeaders.ASSERTION, alice(SECRET),
          IdentityHeaders.IDENTITY, "ceo", IdentityHeaders.GRANTS, "admin")));
      assertThat(signed.access()).isEqualTo(new Access("alice", "standup", Set.of(Grant.SUBSCRIBE)));
    }
  }

  @Test
  void aSocketTheGatewayAdmittedInOpenModeIsAnyoneUnlessATokenIsRequired() throws Exception {
    HttpHeaders openly = headers(Map.of(IdentityHeaders.ASSERTION, open(SECRET)));
    assertThat(IdentityPolicy.of(null, SECRET).admit(openly).access()).isEqualTo(Access.ANYONE);
    assertThat(IdentityPolicy.of(false, SECRET).admit(openly).access()).isEqualTo(Access.ANYONE);
    assertThat(IdentityPolicy.of(true, SECRET).admit(openly).refusal()).isEqualTo(IdentityPolicy.TOKEN_REQUIRED);
    // An assertion naming nobody without saying it is open is not "anyone".
    String nobody = signed(SECRET, new JWTClaimsSet.Builder().claim("room", "standup"));
    assertThat(IdentityPolicy.of(null, SECRET).admit(headers(Map.of(IdentityHeaders.ASSERTION, nobody))).refusal())
        .isEqualTo(IdentityPolicy.BAD_ASSERTION);
  }

  @Test
  void withNeitherSecretNorOpenModeNoSocketIsServed() throws Exception {
    for (Boolean require : new Boolean[] {null, true}) {
      IdentityPolicy policy = IdentityPolicy.of(require, "");
      assertThat(policy.mode()).isEqualTo(IdentityPolicy.Mode.CLOSED);
      assertThat(policy.startupWarning()).contains("serves no socket").contains("switchboard.signaling.identity-secret");
      for (Map<String, String> h : List.of(Map.<String, String>of(), FORGED, Map.of(IdentityHeaders.ASSERTION, alice(SECRET)))) {
        assertThat(policy.admit(headers(h)).refusal()).isEqualTo(IdentityPolicy.CLOSED);
      }
    }
  }

  @Test
  void openModeServesAnyoneAndSaysSoLoudly() {
    IdentityPolicy policy = IdentityPolicy.of(false, "");
    assertThat(policy.mode()).isEqualTo(IdentityPolicy.Mode.OPEN);
    assertThat(policy.startupWarning()).startsWith("OPEN MODE");
    assertThat(policy.admit(headers(Map.of())).access()).isEqualTo(Access.ANYONE);
    // Plain headers, as an open-mode gateway without a secret sets them from a token, narrow it.
    assertThat(policy.admit(headers(Map.of(IdentityHeaders.IDENTITY, "Zo%C3%AB", IdentityHeaders.ROOM, "Q%26A%20room",
        IdentityHeaders.GRANTS, "subscribe"))).access()).isEqualTo(new Access("Zoë", "Q&A room", Set.of(Grant.SUBSCRIBE)));
    assertThat(policy.admit(headers(Map.of(IdentityHeaders.ROOM, "standup"))).refusal())
        .isEqualTo(IdentityPolicy.INCOMPLETE_HEADERS);
  }

  @Test
  void aShortSecretStopsThePod() {
    assertThatThrownBy(() -> IdentityPolicy.of(null, "too-short"))
        .hasMessageContaining("switchboard.signaling.identity-secret must be at least 32 bytes");
  }

  @Test
  void roomsAreCountedByIdentityElseByTheClientAddressTheGatewaySigned() throws Exception {
    IdentityPolicy signedPods = IdentityPolicy.of(null, SECRET);
    String fromClient = signed(SECRET, new JWTClaimsSet.Builder().claim(IdentityHeaders.OPEN_CLAIM, true)
        .claim(IdentityHeaders.CLIENT_CLAIM, "198.51.100.7"));
    // A plain header is not believed where assertions are: the signed address counts.
    assertThat(signedPods.admit(headers(Map.of(IdentityHeaders.ASSERTION, fromClient, IdentityHeaders.CLIENT,
        "203.0.113.1"))).opener("10.0.0.5")).isEqualTo("address:198.51.100.7");
    String aliceFromClient = signed(SECRET, new JWTClaimsSet.Builder().subject("alice").claim("room", "standup")
        .claim("grants", List.of("subscribe")).claim(IdentityHeaders.CLIENT_CLAIM, "198.51.100.7"));
    assertThat(signedPods.admit(headers(Map.of(IdentityHeaders.ASSERTION, aliceFromClient))).opener("10.0.0.5"))
        .isEqualTo("identity:alice");
    // An assertion without the address (an older gateway): not counted, rather than all as the gateway.
    assertThat(signedPods.admit(headers(Map.of(IdentityHeaders.ASSERTION, open(SECRET)))).opener(null)).isNull();

    IdentityPolicy openPods = IdentityPolicy.of(false, null);
    assertThat(openPods.admit(headers(Map.of(IdentityHeaders.CLIENT, "198.51.100.7"))).opener("10.0.0.5"))
        .isEqualTo("address:198.51.100.7");
    assertThat(openPods.admit(headers(Map.of())).opener("10.0.0.5")).isEqualTo("address:10.0.0.5");
    assertThat(IdentityPolicy.of(null, null).admit(headers(Map.of())).opener("10.0.0.5")).as("refused").isNull();
  }
}
