package io.switchboard.gateway.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.switchboard.groupcall.protocol.Grant;
import io.switchboard.groupcall.protocol.IdentityHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the gateway signs for a pod: who the socket is, and from which client address. */
class IdentitySignerTest {

  static final String SECRET = "the-gateway-and-pods-share-this-32-bytes+";
  final IdentitySigner signer = IdentitySigner.of(SECRET, Clock.systemUTC());

  static JWTClaimsSet verified(String assertion) throws Exception {
    SignedJWT jwt = SignedJWT.parse(assertion);
    assertThat(jwt.verify(new MACVerifier(SECRET.getBytes(StandardCharsets.UTF_8)))).isTrue();
    return jwt.getJWTClaimsSet();
  }

  @Test
  void aTokensIdentityAndTheClientsAddressAreSigned() throws Exception {
    JWTClaimsSet claims = verified(signer.sign(new JoinToken("alice", "standup", Set.of(Grant.PUBLISH),
        Instant.now().plusSeconds(60)), "198.51.100.7"));
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getStringClaim(IdentityHeaders.ROOM_CLAIM)).isEqualTo("standup");
    assertThat(claims.getStringListClaim(IdentityHeaders.GRANTS_CLAIM)).isEqualTo(List.of("publish"));
    assertThat(claims.getStringClaim(IdentityHeaders.CLIENT_CLAIM)).isEqualTo("198.51.100.7");
    assertThat(claims.getAudience()).containsExactly(IdentityHeaders.AUDIENCE);
  }

  @Test
  void anOpenSocketIsAnyoneFromItsAddress() throws Exception {
    JWTClaimsSet claims = verified(signer.signOpen("2001:db8:1:2::"));
    assertThat(claims.getSubject()).isNull();
    assertThat(claims.getBooleanClaim(IdentityHeaders.OPEN_CLAIM)).isTrue();
    assertThat(claims.getStringClaim(IdentityHeaders.CLIENT_CLAIM)).isEqualTo("2001:db8:1:2::");
  }
}
