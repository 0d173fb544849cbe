package io.switchboard.gateway.tokens;

import io.switchboard.groupcall.protocol.Grant;
import java.time.Instant;
import java.util.Set;

/**
 * A verified join token: who (the subject, which is also the participant's name), which room
 * ({@code *} with the admin grant: any), what they may do, until when.
 */
public record JoinToken(String identity, String room, Set<Grant> grants, Instant expiresAt) {

  public static final String ANY_ROOM = "*";

  public JoinToken {
    grants = Set.copyOf(grants);
  }
}
