package io.switchboard.gateway.edge;

import io.switchboard.gateway.tokens.JoinToken;
import io.switchboard.gateway.tokens.JoinTokens;
import io.switchboard.groupcall.protocol.Grant;
import io.switchboard.groupcall.protocol.MessageDecoder;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebInputException;

/**
 * {@code POST /api/tokens}: a trusted back end (holding an API key) asks for a join token for one
 * participant of one room, as LiveKit's server SDKs mint access tokens. The browser then connects to
 * {@code /groupcall?access_token=...} (or passes the token as the subprotocol
 * {@code access_token.<token>} next to {@code switchboard}).
 */
@RestController
public class TokenController {


  /** The request: who, where, what, for how long (ISO-8601 or {@code 90s}/{@code 1h}; default 1h). */
  public record TokenRequest(String identity, String room, List<String> grants, String ttl) {}

  public record TokenResponse(String token, Instant expiresAt, String identity, String room, List<String> grants,
      String url) {}

  private final JoinTokens tokens;
  private final ApiKeyGatewayFilterFactory apiKeys;
  private final Refusals refusals;

  public TokenController(JoinTokens tokens, ApiKeyGatewayFilterFactory apiKeys, Refusals refusals) {
    this.tokens = tokens;
    this.apiKeys = apiKeys;
    this.refusals = refusals;
  }

  @PostMapping(path = "/api/tokens", consumes = "application/json", produces = "application/json")
  public ResponseEntity<?> issue(@RequestHeader(name = ApiKeyGatewayFilterFactory.HEADER, required = false) String key,
      @RequestBody(required = false) TokenRequest request) {
    if (!apiKeys.valid(key)) {
      refusals.count(Refusal.API_KEY);
      return problem(HttpStatus.UNAUTHORIZED, "invalid-api-key", "a valid X-Api-Key header is required");
    }
    if (!tokens.canIssue()) {
      return problem(HttpStatus.NOT_IMPLEMENTED, "not-configured",
          "issuing tokens needs switchboard.gateway.tokens.secret (HS256); with a JWKS, your identity provider issues them");
    }
    if (request == null) {
      return problem(HttpStatus.BAD_REQUEST, "invalid-request", "a JSON body {identity, room, grants, ttl} is required");
    }
    if (request.identity() == null || !MessageDecoder.NAME.matcher(request.identity()).matches() || request.identity().isBlank()) {
      return problem(HttpStatus.BAD_REQUEST, "invalid-identity",
          "identity must be 1-64 letters, digits, spaces or . _ ' @ - (it is the participant's name)");
    }
    if (!MessageDecoder.hasOneSpelling(request.identity())) {
      return problem(HttpStatus.BAD_REQUEST, "invalid-identity",
          "identity must not begin or end with a space and must be in Unicode NFC (it is the participant's name)");
    }
    if (request.room() == null || request.room().isBlank()
        || !(JoinToken.ANY_ROOM.equals(request.room()) || MessageDecoder.ROOM.matcher(request.room()).matches())) {
      return problem(HttpStatus.BAD_REQUEST, "invalid-room", "room must be 1-64 characters as in joinRoom, or * (admin)");
    }
    if (!MessageDecoder.hasOneSpelling(request.room())) {
      return problem(HttpStatus.BAD_REQUEST, "invalid-room",
          "room must not begin or end with a space and must be in Unicode NFC, as in joinRoom");
    }
    Set<Grant> grants = EnumSet.noneOf(Grant.class);
    try {
      for (String g : request.grants() == null ? List.<String>of() : request.grants()) {
        grants.add(Grant.of(g));
      }
    } catch (IllegalArgumentException e) {
      return problem(HttpStatus.BAD_REQUEST, "invalid-grants", e.getMessage());
    }
    if (grants.isEmpty()) {
      return problem(HttpStatus.BAD_REQUEST, "invalid-grants", "grants must name at least one of publish, subscribe, record, presenter, admin");
    }
    if (JoinToken.ANY_ROOM.equals(request.room()) && !grants.contains(Grant.ADMIN)) {
      return problem(HttpStatus.BAD_REQUEST, "invalid-room", "room * needs the admin grant");
    }
    Duration ttl;
    try {
      ttl = request.ttl() == null ? Duration.ofHours(1) : parse(request.ttl());
      String token = tokens.issue(request.identity(), request.room(), grants, ttl);
      Instant expires = Instant.now().plus(ttl);
      return ResponseEntity.status(HttpStatus.CREATED).body(new TokenResponse(token, expires, request.identity(),
          request.room(), grants.stream().map(Grant::wire).toList(), "/groupcall?access_token=" + token));
    } catch (IllegalArgumentException e) {
      return problem(HttpStatus.BAD_REQUEST, "invalid-ttl", e.getMessage());
    }
  }

  private static Duration parse(String ttl) {
    try {
      if (ttl.startsWith("P") || ttl.startsWith("p")) {
        return Duration.parse(ttl);
      }
      return org.springframework.boot.convert.DurationStyle.SIMPLE.parse(ttl);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("ttl '" + ttl + "' is not a duration (e.g. 90s, 1h, PT1H)");
    }
  }

  @ExceptionHandler(ServerWebInputException.class)
  ResponseEntity<ProblemDetail> unreadable(ServerWebInputException e) {
    return problem(HttpStatus.BAD_REQUEST, "invalid-request", "the body is not a JSON token request");
  }

  private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String code, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setProperty("code", code);
    problem.setInstance(URI.create("/api/tokens"));
    return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }
}
