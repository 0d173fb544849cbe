package io.switchboard.gateway.tokens;

import io.switchboard.groupcall.protocol.Grant;
import io.switchboard.groupcall.protocol.IdentityHeaders;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;

/**
 * What the gateway tells a signaling pod about a socket it admitted, signed so that the pod can
 * tell it from anything else that reaches its port: {@link IdentityHeaders#ASSERTION}, an HS256 JWT
 * (sub, room, grants, a one-minute exp, audience {@code switchboard-signaling}) under
 * {@code switchboard.gateway.identity-secret}, which the pods share
 * ({@code switchboard.signaling.identity-secret}; signaling's IdentityVerifier verifies it). Every
 * socket the gateway admits carries one: a pod with the secret serves nothing else.
 */
public final class IdentitySigner {

  private static final Duration TTL = Duration.ofMinutes(1);

  private final MACSigner signer;
  private final Clock clock;

  /** Null when no secret is set (open mode only): pods in open mode read the plain headers. */
  public static IdentitySigner of(String secret, Clock clock) {
    return secret.isEmpty() ? null : new IdentitySigner(secret, clock);
  }

  private IdentitySigner(String secret, Clock clock) {
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < 32) {
      throw new IllegalArgumentException("switchboard.gateway.identity-secret must be at least 32 bytes");
    }
    try {
      this.signer = new MACSigner(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException(e);
    }
    this.clock = clock;
  }

  /** For a socket with a join token, from {@code client} (its address, {@link IdentityHeaders#CLIENT_CLAIM}). */
  public String sign(JoinToken token, String client) {
    return sign(new JWTClaimsSet.Builder()
        .subject(token.identity())
        .claim(IdentityHeaders.CLIENT_CLAIM, client)
        .claim(IdentityHeaders.ROOM_CLAIM, token.room())
        .claim(IdentityHeaders.GRANTS_CLAIM, token.grants().stream().map(Grant::wire).sorted().toList()));
  }

  /** For a socket admitted in open mode, without a join token: the pod serves it as anyone. */
  public String signOpen(String client) {
    return sign(new JWTClaimsSet.Builder().claim(IdentityHeaders.OPEN_CLAIM, true)
        .claim(IdentityHeaders.CLIENT_CLAIM, client));
  }

  private String sign(JWTClaimsSet.Builder builder) {
    JWTClaimsSet claims = builder.audience(IdentityHeaders.AUDIENCE)
        .expirationTime(Date.from(clock.instant().plus(TTL)))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
    return jwt.serialize();
  }
}
