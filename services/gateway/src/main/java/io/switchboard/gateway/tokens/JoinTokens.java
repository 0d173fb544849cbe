package io.switchboard.gateway.tokens;

import io.switchboard.groupcall.protocol.Grant;
import io.switchboard.groupcall.protocol.IdentityHeaders;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.switchboard.gateway.config.GatewayProperties;
import java.net.MalformedURLException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Join tokens, verified and issued with nimbus-jose-jwt. HS256 with a shared secret (at least 32
 * bytes), or RS256 against a JWKS URL (keys cached and refreshed by nimbus). Claims: {@code sub}
 * (identity = participant name), {@code room}, {@code grants} (array), {@code exp} (required);
 * {@code iss}/{@code aud} checked when configured.
 */
public final class JoinTokens {

  public static final String ROOM_CLAIM = IdentityHeaders.ROOM_CLAIM;
  public static final String GRANTS_CLAIM = IdentityHeaders.GRANTS_CLAIM;

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final byte[] secret;
  private final String issuer;
  private final String audience;
  private final Duration maxTtl;
  private final Duration clockSkew;
  private final Clock clock;

  public JoinTokens(GatewayProperties.Tokens settings, Clock clock) {
    this.clock = clock;
    this.secret = settings.secret().getBytes(StandardCharsets.UTF_8);
    this.issuer = settings.issuer();
    this.audience = settings.audience();
    this.maxTtl = settings.maxTtl();
    this.clockSkew = settings.clockSkew();
    JWKSource<SecurityContext> keys;
    JWSAlgorithm algorithm;
    if (secret.length > 0) {
      if (secret.length < 32) {
        throw new IllegalArgumentException("switchboard.gateway.tokens.secret must be at least 32 bytes (HS256)");
      }
      keys = new ImmutableSecret<>(secret);
      algorithm = JWSAlgorithm.HS256;
    } else if (settings.jwksUri() != null) {
      try {
        keys = JWKSourceBuilder.create(settings.jwksUri().toURL()).retrying(true).build();
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException("switchboard.gateway.tokens.jwks-uri is not a URL: " + settings.jwksUri(), e);
      }
      algorithm = JWSAlgorithm.RS256;
    } else {
      keys = null;
      algorithm = null;
    }
    if (keys != null) {
      processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithm, keys));
      JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
      if (!settings.issuer().isEmpty()) {
        exact.issuer(settings.issuer());
      }
      DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
          settings.audience().isEmpty() ? null : settings.audience(), exact.build(),
          Set.of("sub", "exp", ROOM_CLAIM)) {
        @Override
        protected Date currentTime() {
          return Date.from(clock.instant());
        }
      };
      verifier.setMaxClockSkew((int) settings.clockSkew().toSeconds());
      processor.setJWTClaimsSetVerifier(verifier);
    }
  }

  /** Whether tokens can be verified at all (a secret or a JWKS is configured). */
  public boolean configured() {
    return processor.getJWSKeySelector() != null;
  }

  /** Verifies a token; the exception's message says what is wrong, for the close reason. */
  public JoinToken verify(String token) {
    if (token == null || token.isEmpty()) {
      throw new TokenRejectedException("a join token is required");
    }
    if (!configured()) {
      throw new TokenRejectedException("this gateway has no token keys configured");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ExpiredJWTException e) {
      throw new TokenRejectedException("token expired");
    } catch (BadJWTException e) {
      throw new TokenRejectedException("token claims invalid: " + e.getMessage());
    } catch (BadJOSEException e) {
      throw new TokenRejectedException("token signature invalid");
    } catch (ParseException e) {
      throw new TokenRejectedException("token malformed");
    } catch (com.nimbusds.jose.KeySourceException e) {
      // The identity provider's keys cannot be fetched: the token may well be good. Retryable.
      throw new KeysUnavailableException("the token's signing keys cannot be fetched now; retry", e);
    } catch (JOSEException e) {
      throw new TokenRejectedException("token could not be verified: " + e.getMessage());
    }
    try {
      String room = claims.getStringClaim(ROOM_CLAIM);
      Set<Grant> grants = EnumSet.noneOf(Grant.class);
      List<String> listed = claims.getStringListClaim(GRANTS_CLAIM);
      if (listed != null) {
        for (String g : listed) {
          grants.add(Grant.of(g));
        }
      }
      if (grants.isEmpty()) {
        throw new TokenRejectedException("token grants nothing");
      }
      if (JoinToken.ANY_ROOM.equals(room) && !grants.contains(Grant.ADMIN)) {
        throw new TokenRejectedException("token for any room without the admin grant");
      }
      Instant expires = claims.getExpirationTime().toInstant();
      // Capped here too, not only when this gateway issues: a token minted elsewhere (or with a
      // leaked secret) for years is not a pass for years.
      if (expires.isAfter(clock.instant().plus(maxTtl).plus(clockSkew))) {
        throw new TokenRejectedException("token lives longer than this gateway allows (at most " + maxTtl
            + " from now): issue it with an earlier exp");
      }
      return new JoinToken(claims.getSubject(), room, grants, expires);
    } catch (ParseException | IllegalArgumentException e) {
      throw new TokenRejectedException("token claims invalid: " + e.getMessage());
    }
  }

  /** Whether tokens can be issued here (HS256 only: the gateway holds no RS256 private key). */
  public boolean canIssue() {
    return secret.length > 0;
  }

  /** Signs a token with the shared secret. */
  public String issue(String identity, String room, Set<Grant> grants, Duration ttl) {
    if (!canIssue()) {
      throw new IllegalStateException("issuing tokens needs switchboard.gateway.tokens.secret");
    }
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(maxTtl) > 0) {
      throw new IllegalArgumentException("ttl must be positive and at most " + maxTtl);
    }
    Instant now = clock.instant();
    List<String> wire = new java.util.ArrayList<>();
    new HashSet<>(grants).stream().sorted().forEach(g -> wire.add(g.wire()));
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .subject(identity)
        .claim(ROOM_CLAIM, room)
        .claim(GRANTS_CLAIM, wire)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)))
        .jwtID(UUID.randomUUID().toString());
    if (!issuer.isEmpty()) {
      claims.issuer(issuer);
    }
    if (!audience.isEmpty()) {
      claims.audience(audience);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
    return jwt.serialize();
  }
}
