package io.switchboard.signaling.ws;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.switchboard.groupcall.protocol.IdentityHeaders;
import io.switchboard.signaling.domain.Access;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The gateway's signed statement of who a socket is ({@link IdentityHeaders#ASSERTION}): a short-lived
 * HS256 JWT with {@code sub} (identity), {@code room}, {@code grants}, {@code exp} and audience
 * {@code switchboard-signaling}, signed with {@code switchboard.signaling.identity-secret}, which
 * the gateway shares ({@code switchboard.gateway.identity-secret}). With it, a pod believes only
 * identities the gateway signed, whoever else can reach its port. A socket the gateway admitted
 * in open mode (no join token) carries {@code open: true} and no {@code sub}: anyone.
 */
final class IdentityVerifier {


  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  IdentityVerifier(String secret) {
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < 32) {
      throw new IllegalArgumentException("switchboard.signaling.identity-secret must be at least 32 bytes");
    }
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(key)));
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(IdentityHeaders.AUDIENCE, null, Set.of("exp")));
  }

  /** What a valid assertion states: the access, and the client's address (null from an older gateway). */
  record Verified(Access access, String client) {}

  /** What the assertion states, or null when it is missing, forged, expired or malformed. */
  Verified verify(String assertion) {
    if (assertion == null || assertion.isEmpty()) {
      return null;
    }
    try {
      JWTClaimsSet claims = processor.process(assertion, null);
      String client = claims.getStringClaim(IdentityHeaders.CLIENT_CLAIM);
      if (Boolean.TRUE.equals(claims.getBooleanClaim(IdentityHeaders.OPEN_CLAIM)) && claims.getSubject() == null) {
        return new Verified(Access.ANYONE, client); // the gateway admitted it in open mode, without a join token
      }
      if (claims.getSubject() == null || claims.getStringClaim(IdentityHeaders.ROOM_CLAIM) == null) {
        return null;
      }
      List<String> grants = claims.getStringListClaim(IdentityHeaders.GRANTS_CLAIM);
      return new Verified(new Access(claims.getSubject(), claims.getStringClaim(IdentityHeaders.ROOM_CLAIM),
          Access.parseGrants(grants == null ? "" : String.join(",", grants))), client);
    } catch (Exception e) {
      return null;
    }
  }
}
