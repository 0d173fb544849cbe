package io.switchboard.signaling.ws;

import java.time.Duration;

/**
 * How the {@code /groupcall} edge treats each socket (from {@code switchboard.signaling.*}).
 *
 * @param maxFrameBytes the largest text frame a client may send
 * @param messagesPerSecond,messageBurst a socket's message rate limit (token bucket)
 * @param identities whom the pod serves (signed by the gateway, anyone in open mode, or nobody)
 * @param sendTimeLimit,sendBufferBytes how long and how much a slow client may fall behind before its socket closes
 */
public record SocketSettings(int maxFrameBytes, int messagesPerSecond, int messageBurst, IdentityPolicy identities,
    Duration sendTimeLimit, int sendBufferBytes) {}
