package io.switchboard.signaling.ws;

import java.time.Duration;

/**
 * How the {@code /groupcall} edge treats each socket (from {@code switchboard.signaling.*}).
 *
 * @param maxFrameBytes the largest text frame a client may send
 * @param messagesPerSecond,messageBurst a socket's message rate limit (token bucket)
 * @param requireIdentity whether a socket without the gateway's identity is refused
 * @param identitySecret the secret the gateway signs identities with; empty: identity headers taken as they come
 * @param sendTimeLimit,sendBufferBytes how long and how much a slow client may fall behind before its socket closes
 */
public record SocketSettings(int maxFrameBytes, int messagesPerSecond, int messageBurst, boolean requireIdentity,
    String identitySecret, Duration sendTimeLimit, int sendBufferBytes) {}
