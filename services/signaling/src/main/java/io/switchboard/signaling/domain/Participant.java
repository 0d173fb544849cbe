package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.IceCandidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A participant served by this pod: its socket, its endpoints and the browser candidates that
 * arrived before their endpoint existed. Guarded by its own monitor: a socket's messages and KMS
 * events for it may come on different threads.
 */
public final class Participant {

  /** Browser candidates kept per endpoint until the endpoint exists: never dropped, but bounded. */
  static final int MAX_PENDING_CANDIDATES = 128;

  final String name;
  final String roomId;
  final String kmsUrl;
  final String nodeId;
  /** The socket now serving this participant; a resume moves the participant to a new one. */
  volatile ClientChannel channel;
  final String publisherEndpoint;
  /** sender name → this participant's endpoint receiving that sender. */
  final Map<String, String> subscriptions = new HashMap<>();
  final Map<String, List<IceCandidate>> pendingCandidates = new HashMap<>();
  /** Who this participant's client has been told about (existingParticipants, newParticipantArrived). */
  final java.util.Set<String> known = new java.util.HashSet<>();
  /** Whether the publisher endpoint has negotiated (a second offer is refused). */
  boolean publishing;
  /** Hash of the resume token handed out at join. */
  String tokenHash;
  /** The socket closed; the participant waits for a resume until {@link #pendingLeave} runs. */
  boolean detached;
  java.util.concurrent.ScheduledFuture<?> pendingLeave;
  /** Left the room (explicitly, or the grace period ran out): it can no longer be resumed. */
  boolean gone;

  Participant(String name, String roomId, String nodeId, String kmsUrl, ClientChannel channel, String publisherEndpoint) {
    this.name = name;
    this.roomId = roomId;
    this.nodeId = nodeId;
    this.kmsUrl = kmsUrl;
    this.channel = channel;
    this.publisherEndpoint = publisherEndpoint;
  }

  public String name() {
    return name;
  }

  public String roomId() {
    return roomId;
  }

  /** Keeps a candidate for an endpoint that does not exist yet; false when too many are waiting. */
  synchronized boolean keep(String endpointName, IceCandidate candidate) {
    List<IceCandidate> pending = pendingCandidates.computeIfAbsent(endpointName, k -> new ArrayList<>());
    if (pending.size() >= MAX_PENDING_CANDIDATES) {
      return false;
    }
    pending.add(candidate);
    return true;
  }

  synchronized List<IceCandidate> takePending(String endpointName) {
    List<IceCandidate> pending = pendingCandidates.remove(endpointName);
    return pending == null ? List.of() : pending;
  }
}
