package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.IceCandidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A participant served by this pod: its socket, its endpoints and the browser candidates that
 * arrived before their endpoint existed. Guarded by its own monitor: a socket's messages and KMS
 * events for it may come on different threads. Its record in the {@link RoomStore} mirrors what
 * another pod needs to take it over ({@link #record}).
 */
public final class Participant {

  /** Browser candidates kept per endpoint until the endpoint exists: never dropped, but bounded. */
  static final int MAX_PENDING_CANDIDATES = 128;
  /**
   * And for all of a participant's endpoints together: a client of a big room cannot make the pod
   * keep 128 candidates for each of a hundred streams it never negotiates.
   */
  static final int MAX_PENDING_CANDIDATES_IN_ALL = 512;

  final String name;
  /** The room's id (keys, placement, logs) and its name as typed (what the client is told). */
  final String roomId;
  final String roomName;
  /** Where the room's media is; a rebuild on another node changes them (under the monitor). */
  volatile String kmsUrl;
  volatile String nodeId;
  /**
   * The room's pipeline on {@link #kmsUrl}, as the room's record named it when this participant
   * joined, resumed or was moved with a rebuild (which changes both); null: not known here, read
   * the record.
   */
  volatile String pipelineId;
  /** This membership; a rejoin under the same name is another. */
  final String memberId;
  final long joinedAt;
  /** The socket now serving this participant; a resume moves the participant to a new one. */
  volatile ClientChannel channel;
  volatile String publisherEndpoint;
  /** sender name → this participant's endpoint receiving that sender. */
  final Map<String, String> subscriptions = new LinkedHashMap<>();
  final Map<String, List<IceCandidate>> pendingCandidates = new LinkedHashMap<>();
  /**
   * Subscriptions asked for and not made yet, by key: reserved in the socket's message order, then
   * made (the sender's record read, the endpoint created) outside this monitor and perhaps on
   * another thread, so that a slow KMS does not hold up whoever else needs it — the room's event
   * delivery does, under the room's lock. Dropping the stream meanwhile cancels the reservation
   * (its endpoint is released when it comes) and frees the key for a new one.
   */
  final Map<String, Reservation> subscribing = new HashMap<>();

  /** A subscription being made; cancelled when its stream went away meanwhile. Guarded by the participant's monitor. */
  static final class Reservation {
    boolean cancelled;
  }
  /**
   * Whom this participant's client has been told about (existingParticipants,
   * newParticipantArrived): name → membership id.
   */
  final Map<String, String> known = new java.util.HashMap<>();
  /** Whether the publisher endpoint has negotiated (a second offer is refused). */
  boolean publishing;
  /** The endpoint publishing a shared screen, once it negotiated; null when not sharing. */
  String screenEndpoint;
  /** Whether a screen endpoint is being made or negotiated now (a second publishScreen is refused). */
  boolean screenPending;
  /** The RecorderEndpoint recording this participant's camera, and its URI; null when not recording. */
  String recorder;
  String recordingUri;
  boolean audio = true;
  boolean video = true;
  /**
   * Hash of the resume token the client holds: handed out at join, and a new one at every resume
   * (the one resumed with is spent). Changed under the participant's lock.
   */
  volatile String tokenHash;
  /** The socket closed; the participant waits for a resume until {@link #parkedUntil}. */
  boolean detached;
  /** When a detached participant's wait ends (epoch ms); 0 while connected. */
  long parkedUntil;
  /** Whether the wait is recorded in Redis yet (retried until it is). */
  boolean parkRecorded;
  /** The room's media was rebuilt elsewhere and the client must be told (it is on resume). */
  boolean mediaMoved;
  /** No longer this pod's: it left, its wait ran out, or it resumed on another pod. */
  volatile boolean gone;
  /**
   * Writes of its record to the store, one at a time ({@link MemberRecords}). Taken holding the
   * participant's monitor or not, but never the other way round: nobody takes the monitor while
   * holding this.
   */
  final Object recordWrites = new Object();
  /** Numbers the record's states as they are taken to be written (each under the monitor). */
  final java.util.concurrent.atomic.AtomicLong recordRevision = new java.util.concurrent.atomic.AtomicLong();
  /** The latest state written (or refused) and whether the store took it; guarded by {@link #recordWrites}. */
  long storedRevision;
  boolean storedWritten;

  /** A state of the record taken to be written, with the publisher the stored one must have. */
  record RecordState(long revision, String publisher, RoomStore.MemberRecord record) {}

  /** The latest state taken to be written (set under the monitor): what the next write writes. */
  volatile RecordState latestRecord;

  Participant(String name, String roomId, String roomName, String nodeId, String kmsUrl, String memberId,
      long joinedAt, ClientChannel channel, String publisherEndpoint, String tokenHash) {
    this.name = name;
    this.roomId = roomId;
    this.roomName = roomName;
    this.nodeId = nodeId;
    this.kmsUrl = kmsUrl;
    this.memberId = memberId;
    this.joinedAt = joinedAt;
    this.channel = channel;
    this.publisherEndpoint = publisherEndpoint;
    this.tokenHash = tokenHash;
  }

  public String name() {
    return name;
  }

  public String roomId() {
    return roomId;
  }

  /** This participant as every pod sees it; call holding its monitor. */
  RoomStore.MemberRecord record(String pod) {
    return new RoomStore.MemberRecord(memberId, pod, tokenHash, publisherEndpoint, publishing, subscriptions,
        audio, video, joinedAt, parkedUntil, mediaMoved, screenEndpoint, recorder, recordingUri);
  }

  /** How the room's presenter slot names this participant: {@code memberId + " " + name}. */
  String presenterClaim() {
    return memberId + " " + name;
  }

  PodRegistry.Entry entry() {
    return new PodRegistry.Entry(roomId, name, memberId);
  }

  /**
   * Keeps a candidate for an endpoint that does not exist yet; false when too many are waiting for
   * that endpoint, or for all of this participant's together.
   */
  synchronized boolean keep(String endpointName, IceCandidate candidate) {
    int inAll = pendingCandidates.values().stream().mapToInt(List::size).sum();
    List<IceCandidate> pending = pendingCandidates.get(endpointName);
    if (inAll >= MAX_PENDING_CANDIDATES_IN_ALL || pending != null && pending.size() >= MAX_PENDING_CANDIDATES) {
      return false;
    }
    pendingCandidates.computeIfAbsent(endpointName, k -> new ArrayList<>()).add(candidate);
    return true;
  }

  /** Takes out a subscription (or cancels one being made); call holding this monitor. */
  String dropSubscription(String key) {
    Reservation being = subscribing.remove(key);
    if (being != null) {
      being.cancelled = true;
    }
    return subscriptions.remove(key);
  }

  /** Takes out every subscription, and cancels those being made; call holding this monitor. */
  void dropSubscriptions() {
    subscribing.values().forEach(being -> being.cancelled = true);
    subscribing.clear();
    subscriptions.clear();
  }

  synchronized List<IceCandidate> takePending(String endpointName) {
    List<IceCandidate> pending = pendingCandidates.remove(endpointName);
    return pending == null ? List.of() : pending;
  }
}
