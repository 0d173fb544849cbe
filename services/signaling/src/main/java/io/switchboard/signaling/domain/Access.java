package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.Grant;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a socket's join token allows, as the gateway verified it and forwarded it
 * ({@code X-Switchboard-Identity}, {@code -Room}, {@code -Grants}): join {@code room} as
 * {@code identity} only, and only the granted actions. Without a token (the gateway in open mode,
 * or a pod reached directly in development) anyone may do anything the room allows.
 *
 * @param identity the participant's name the token is for; null when unrestricted
 * @param room the room's name the token is for ({@code *} with {@link Grant#ADMIN}: any)
 */
public record Access(String identity, String room, Set<Grant> grants) {

  /** No token: everything the room's limits allow. */
  public static final Access ANYONE = new Access(null, null, EnumSet.allOf(Grant.class));

  public Access {
    grants = grants.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(grants));
  }

  public boolean restricted() {
    return identity != null;
  }

  public boolean may(Grant grant) {
    return grants.contains(grant) || grants.contains(Grant.ADMIN);
  }

  /** Why joining {@code roomName} as {@code name} is not allowed, or null when it is. */
  public String refusesJoin(String roomName, String name) {
    if (!restricted()) {
      return null;
    }
    if (!identity.equals(name)) {
      return "the join token is for " + identity + ", not " + name;
    }
    boolean anyRoom = "*".equals(room) && grants.contains(Grant.ADMIN);
    if (!anyRoom && !room.equals(roomName)) {
      return "the join token is for room " + room + ", not " + roomName;
    }
    return null;
  }

  /** Parses the grants header ({@code publish,subscribe}); unknown names are ignored. */
  public static Set<Grant> parseGrants(String header) {
    Set<Grant> grants = EnumSet.noneOf(Grant.class);
    if (header == null) {
      return grants;
    }
    for (String part : header.split(",")) {
      String wire = part.trim();
      for (Grant g : Grant.values()) {
        if (g.wire().equals(wire)) {
          grants.add(g);
        }
      }
    }
    return grants;
  }
}
