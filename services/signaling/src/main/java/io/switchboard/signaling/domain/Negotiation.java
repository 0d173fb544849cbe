package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * WebRTC negotiation with KMS: publishing the camera, subscribing to another's stream, and the
 * browser's ICE candidates, kept until their endpoint exists.
 */
final class Negotiation {

  private final RoomStore store;
  private final MediaServer media;
  private final MediaCleanup cleanup;
  private final LoadReporter load;
  private final MemberRecords records;
  private final RoomOpener rooms;
  private final Grants grants;
  private final Executor alongside;

  /** {@code alongside} writes a subscription's record while KMS negotiates it. */
  Negotiation(RoomStore store, MediaServer media, MediaCleanup cleanup, LoadReporter load, MemberRecords records,
      RoomOpener rooms, Grants grants, Executor alongside) {
    this.store = store;
    this.media = media;
    this.cleanup = cleanup;
    this.load = load;
    this.records = records;
    this.rooms = rooms;
    this.grants = grants;
    this.alongside = alongside;
  }

  /** A participant's endpoint for a stream, as keyed in subscriptions and pending candidates. */
  static String key(String name, Stream stream) {
    return stream == Stream.SCREEN ? name + "#screen" : name;
  }

  /**
   * {@code receiveVideoFrom}: one's own name publishes the camera; another's subscribes to it. In
   * two parts: checked, and its stream reserved, now — in the order of the socket's messages, so
   * that the candidates sent after it are kept for it —; the work returned negotiates with KMS and
   * Redis, and may run on another thread, side by side with the socket's other negotiations.
   */
  Runnable receiveVideoFrom(Participant self, ClientMessage.ReceiveVideoFrom receive) {
    if (receive.sender().equals(self.name)) {
      grants.requireMayPublish(receive.requestId());
      if (receive.stream() == Stream.SCREEN) {
        throw new ProtocolException(ErrorCode.UNKNOWN_STREAM, "share a screen with publishScreen", receive.requestId());
      }
      startPublishing(self, receive.requestId());
      return () -> publishStarted(self, receive.sdpOffer(), receive.requestId(),
          answer -> new ServerMessage.ReceiveVideoAnswer(self.name, answer, Stream.WEBCAM));
    }
    Participant.Reservation reservation = reserve(self, receive.sender(), receive.stream(), receive.requestId());
    return () -> subscribeReserved(self, reservation, receive.sender(), receive.stream(), receive.sdpOffer(),
        receive.requestId(), answer -> new ServerMessage.ReceiveVideoAnswer(receive.sender(), answer,
            receive.stream()));
  }

  /** A new endpoint receiving {@code sender}'s stream, negotiated with {@code offer}. */
  void subscribe(Participant self, String sender, Stream stream, String offer, String requestId,
      Function<String, ServerMessage> answered) {
    Participant.Reservation reservation = reserve(self, sender, stream, requestId);
    subscribeReserved(self, reservation, sender, stream, offer, requestId, answered);
  }

  /** Notes a subscription being made; refused when it exists or is being made already. */
  private static Participant.Reservation reserve(Participant self, String sender, Stream stream, String requestId) {
    String key = key(sender, stream);
    synchronized (self) {
      if (self.subscriptions.containsKey(key) || self.subscribing.containsKey(key)) {
        throw new ProtocolException(ErrorCode.INVALID_SDP, "already receiving " + sender + "'s " + stream.wire(),
            requestId);
      }
      Participant.Reservation reservation = new Participant.Reservation();
      self.subscribing.put(key, reservation);
      return reservation;
    }
  }

  /**
   * The reserved subscription made: its sender's endpoint found, its own created, recorded and
   * negotiated. When the participant has been told of the sender (the usual case: a client asks
   * for the streams it was told of) the sender's record is read from Redis while KMS makes the
   * endpoint; otherwise it is read first, and no endpoint is made for a name nobody has.
   */
  private void subscribeReserved(Participant self, Participant.Reservation reservation, String sender, Stream stream,
      String offer, String requestId, Function<String, ServerMessage> answered) {
    String key = key(sender, stream);
    String kmsUrl;
    String pipeline;
    boolean told;
    synchronized (self) {
      kmsUrl = self.kmsUrl;
      pipeline = self.pipelineId;
      told = self.known.containsKey(sender);
    }
    CompletableFuture<String> source = null;
    String sourceEndpoint = null;
    String endpoint;
    try {
      if (told) {
        source = CompletableFuture.supplyAsync(() -> sourceEndpoint(self, sender, stream, requestId), alongside);
      } else {
        sourceEndpoint = sourceEndpoint(self, sender, stream, requestId);
      }
      // Not under the participant's monitor: the room's event delivery takes it under the room's lock.
      endpoint = media.createEndpoint(kmsUrl, pipeline != null ? pipeline : rooms.pipelineOf(self), candidate ->
          self.channel.send(new ServerMessage.IceCandidateFound(sender, candidate, stream)));
    } catch (RuntimeException e) {
      unreserve(self, key, reservation); // the record being read, if it is, changes nothing
      throw e;
    }
    if (source != null) {
      try {
        sourceEndpoint = source.join();
      } catch (CompletionException e) {
        cleanup.release(kmsUrl, endpoint);
        unreserve(self, key, reservation);
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    boolean cancelled;
    synchronized (self) {
      cancelled = reservation.cancelled || self.gone || !kmsUrl.equals(self.kmsUrl);
      self.subscribing.remove(key, reservation);
      if (!cancelled) {
        self.subscriptions.put(key, endpoint);
      }
    }
    if (cancelled) {
      // The stream went away (or the room's media moved, or the participant left) while its
      // endpoint was being made.
      cleanup.release(kmsUrl, endpoint);
      throw new ProtocolException(ErrorCode.UNKNOWN_STREAM, sender + "'s " + stream.wire()
          + " went away while subscribing to it", requestId);
    }
    load.report(self.roomId, self.nodeId, 1, 0);
    // Recorded while KMS negotiates it, and before the client hears the answer: a pod that takes
    // the participant over finds it.
    CompletableFuture<Boolean> recorded = CompletableFuture.supplyAsync(() -> records.persist(self), alongside);
    try {
      negotiate(self, endpoint, key, sourceEndpoint, offer, requestId, answered, () -> {
        boolean persisted;
        try {
          persisted = recorded.join();
        } catch (CompletionException e) {
          throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        if (!persisted) {
          throw new ProtocolException(ErrorCode.NOT_JOINED, "this session moved to another socket", requestId);
        }
      });
    } catch (RuntimeException e) {
      recorded.handle((persisted, failure) -> null).join(); // its write must not land after the one below
      synchronized (self) {
        self.subscriptions.remove(key, endpoint);
      }
      cleanup.release(self.kmsUrl, endpoint);
      load.report(self.roomId, self.nodeId, -1, 0);
      records.persistBestEffort(self);
      throw e;
    }
  }

  /** The endpoint of {@code sender}'s stream, from its record; refused when there is no such stream. */
  private String sourceEndpoint(Participant self, String sender, Stream stream, String requestId) {
    RoomStore.MemberRecord source = store.member(self.roomId, sender).orElse(null);
    if (source == null) {
      throw new ProtocolException(ErrorCode.UNKNOWN_SENDER, "nobody called " + sender + " is in room "
          + self.roomName, requestId);
    }
    String endpoint = stream == Stream.SCREEN ? source.screen() : source.publisher();
    if (endpoint == null) {
      throw new ProtocolException(ErrorCode.UNKNOWN_STREAM, sender + " shares no screen", requestId);
    }
    return endpoint;
  }

  /** A reservation that came to nothing: gone, with the candidates kept for it. */
  private static void unreserve(Participant self, String key, Participant.Reservation reservation) {
    synchronized (self) {
      if (self.subscribing.remove(key, reservation)) {
        self.pendingCandidates.remove(key);
      }
    }
  }

  /** Negotiates the participant's camera endpoint, once. */
  void publish(Participant self, String offer, String requestId, Function<String, ServerMessage> answered) {
    startPublishing(self, requestId);
    publishStarted(self, offer, requestId, answered);
  }

  /** Notes the camera being negotiated; refused when it is (or was) already. */
  private static void startPublishing(Participant self, String requestId) {
    synchronized (self) {
      if (self.publishing) {
        throw new ProtocolException(ErrorCode.INVALID_SDP, "already publishing: an endpoint negotiates once",
            requestId);
      }
      self.publishing = true;
    }
  }

  private void publishStarted(Participant self, String offer, String requestId,
      Function<String, ServerMessage> answered) {
    try {
      negotiate(self, self.publisherEndpoint, self.name, null, offer, requestId, answered);
    } catch (RuntimeException e) {
      synchronized (self) {
        self.publishing = false;
      }
      throw e;
    }
    records.persistBestEffort(self);
  }

  /**
   * Connects {@code source} (when not null) into the endpoint, applies the candidates kept for
   * {@code key} and answers {@code offer} — sent to KMS together — then hands the answer to the
   * client as {@code answered} makes it and starts gathering KMS's candidates, without waiting for
   * that: the socket's next message need not wait for it. Gathering starts only once the answer is
   * on its way, so that no candidate of KMS reaches the browser before the answer does.
   */
  void negotiate(Participant self, String endpoint, String key, String source, String offer, String requestId,
      Function<String, ServerMessage> answered) {
    negotiate(self, endpoint, key, source, offer, requestId, answered, () -> { });
  }

  /** The same, {@code beforeAnswer} run (and let throw) once KMS answered and before the client is told. */
  private void negotiate(Participant self, String endpoint, String key, String source, String offer,
      String requestId, Function<String, ServerMessage> answered, Runnable beforeAnswer) {
    String answer;
    try {
      answer = media.negotiate(self.kmsUrl, endpoint, source, self.takePending(key), offer);
    } catch (MediaServer.MediaException e) {
      throw new ProtocolException(e.refused() ? ErrorCode.INVALID_SDP : ErrorCode.UNAVAILABLE,
          e.refused() ? "the media server refused the offer: " + e.getMessage() : "the media server is unreachable",
          requestId);
    }
    beforeAnswer.run();
    self.channel.send(answered.apply(answer));
    media.gatherCandidates(self.kmsUrl, endpoint);
  }

  /** {@code onIceCandidate}: to its endpoint, or kept until the endpoint exists — if the stream exists. */
  void onIceCandidate(Participant self, ClientMessage.OnIceCandidate message) {
    String key = key(message.name(), message.stream());
    String endpoint = endpointFor(self, message);
    if (endpoint == null) {
      // Not negotiated yet: kept, never dropped — if the stream exists (or is being made).
      boolean known;
      if (message.name().equals(self.name)) {
        synchronized (self) {
          known = message.stream() == Stream.WEBCAM || self.screenPending || self.screenEndpoint != null;
        }
      } else {
        synchronized (self) {
          known = self.subscribing.containsKey(key); // asked for, being made: no need to ask Redis
        }
        if (!known) {
          RoomStore.MemberRecord source = store.member(self.roomId, message.name()).orElse(null);
          known = source != null && (message.stream() == Stream.WEBCAM || source.screen() != null);
        }
      }
      if (!known) {
        throw new ProtocolException(ErrorCode.UNKNOWN_STREAM, "no " + message.stream().wire() + " of "
            + message.name() + " in room " + self.roomName, message.requestId());
      }
      synchronized (self) {
        endpoint = endpointFor(self, message);
        if (endpoint == null) {
          if (!self.keep(key, message.candidate())) {
            throw new ProtocolException(ErrorCode.INVALID_VALUE, "too many candidates waiting for " + message.name()
                + " (at most " + Participant.MAX_PENDING_CANDIDATES + " per stream and "
                + Participant.MAX_PENDING_CANDIDATES_IN_ALL + " in all before their offers are answered)",
                message.requestId());
          }
          return;
        }
      }
    }
    media.addIceCandidate(self.kmsUrl, endpoint, message.candidate());
  }

  /** The negotiated endpoint a browser candidate is for, or null. */
  private static String endpointFor(Participant self, ClientMessage.OnIceCandidate message) {
    synchronized (self) {
      if (!message.name().equals(self.name)) {
        return self.subscriptions.get(key(message.name(), message.stream()));
      }
      if (message.stream() == Stream.SCREEN) {
        return self.screenEndpoint;
      }
      return self.publishing ? self.publisherEndpoint : null;
    }
  }
}
