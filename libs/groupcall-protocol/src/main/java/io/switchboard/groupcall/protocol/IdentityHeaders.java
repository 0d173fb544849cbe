package io.switchboard.groupcall.protocol;

/**
 * How the gateway tells a signaling pod who a socket is, on the WebSocket handshake it proxies:
 * the verified identity, room (both percent-encoded UTF-8) and grants, and, with a shared
 * identity secret, the same signed as an HS256 JWT (for every socket it admits, with or without a
 * token). The gateway removes these headers from what clients send.
 */
public final class IdentityHeaders {

  public static final String IDENTITY = "X-Switchboard-Identity";
  public static final String ROOM = "X-Switchboard-Room";
  /** Comma-separated {@link Grant#wire()} names. */
  public static final String GRANTS = "X-Switchboard-Grants";
  /** The signed statement: claims {@code sub}, {@code room}, {@code grants}, {@code exp}, audience {@link #AUDIENCE}. */
  public static final String ASSERTION = "X-Switchboard-Assertion";
  public static final String AUDIENCE = "switchboard-signaling";
  /** The assertion's claim naming the room (a join token's too); {@code sub} names the identity. */
  public static final String ROOM_CLAIM = "room";
  /** The assertion's claim listing the grants' {@link Grant#wire()} names (a join token's too). */
  public static final String GRANTS_CLAIM = "grants";
  /**
   * The assertion's claim, {@code true}, for a socket the gateway admitted in open mode without a
   * join token (no {@code sub}, {@code room} or {@code grants}): the pod serves it as anyone.
   */
  public static final String OPEN_CLAIM = "open";
  /**
   * The client's address as the gateway sees it (IPv4, or the IPv6 /64), on every socket it
   * admits: plain in {@link #CLIENT}, signed in the assertion's {@link #CLIENT_CLAIM}. A pod counts
   * the rooms a client without an identity opens by it.
   */
  public static final String CLIENT = "X-Switchboard-Client";
  public static final String CLIENT_CLAIM = "client";

  private IdentityHeaders() {}
}
