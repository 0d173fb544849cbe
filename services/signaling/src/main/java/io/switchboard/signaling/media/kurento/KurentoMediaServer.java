package io.switchboard.signaling.media.kurento;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.signaling.domain.MediaServer;
import io.switchboard.signaling.media.kurento.KmsNode.Lease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.kurento.client.Continuation;
import org.kurento.client.EventListener;
import org.kurento.client.IceCandidateFoundEvent;
import org.kurento.client.KurentoObject;
import org.kurento.client.ListenerSubscription;
import org.kurento.client.MediaElement;
import org.kurento.client.MediaObject;
import org.kurento.client.MediaPipeline;
import org.kurento.client.MediaProfileSpecType;
import org.kurento.client.RecorderEndpoint;
import org.kurento.client.WebRtcEndpoint;
import org.kurento.client.internal.server.KurentoServerException;
import org.kurento.commons.exception.KurentoException;
import org.kurento.jsonrpc.JsonRpcErrorException;

/**
 * KMS through kurento-client: per node a few sessions and a bound on the requests in flight
 * ({@link KmsNode}), opened on first use or ahead of it ({@link #open}), reconnecting by themselves.
 * Requests to one node run side by side. Objects are created through kurento-client's
 * asynchronous API: its synchronous {@code create} holds the client's one monitor for the whole
 * round trip, and every other call on that client, {@code getById} included, would wait behind it.
 * Every request is timed as {@code switchboard.signaling.kms.request} by operation and outcome
 * ({@code ok}; {@code refused}: KMS answered an error; {@code unreachable}: no answer in time, no
 * connection, or the node's in-flight bound full for the whole timeout; {@code error}: anything else).
 */
public final class KurentoMediaServer implements MediaServer, AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(KurentoMediaServer.class);

  private final Duration requestTimeout;
  private final int sessionsPerNode;
  private final int maxInFlightPerNode;
  private final MeterRegistry registry;
  private final Map<String, KmsNode> nodes = new ConcurrentHashMap<>();
  /** This pod's ICE candidate listener per endpoint ({@code kmsUrl + " " + endpointId}). */
  private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
  /** Listeners being added ({@link #createEndpoint}), by the same key; in {@link #listeners} once added. */
  private final Map<String, Subscribing> subscribing = new ConcurrentHashMap<>();

  /** A listener and the session it was added on: its events come there, its removal goes there. */
  private record Listener(int session, ListenerSubscription subscription) {}

  public KurentoMediaServer(Duration requestTimeout, int sessionsPerNode, int maxInFlightPerNode,
      MeterRegistry registry) {
    this.requestTimeout = requestTimeout;
    this.sessionsPerNode = sessionsPerNode;
    this.maxInFlightPerNode = maxInFlightPerNode;
    this.registry = registry;
  }

  private KmsNode node(String kmsUrl) {
    return nodes.computeIfAbsent(kmsUrl, url -> {
      KmsNode node = new KmsNode(url, sessionsPerNode, maxInFlightPerNode, requestTimeout);
      Gauge.builder("switchboard.signaling.kms.requests.in.flight", node, KmsNode::inFlight)
          .description("requests to a KMS node sent and not yet answered").tag("node", url).register(registry);
      Gauge.builder("switchboard.signaling.kms.requests.waiting", node, KmsNode::waiting)
          .description("requests to a KMS node waiting for a slot (the node has its maximum in flight)")
          .tag("node", url).register(registry);
      return node;
    });
  }

  @Override
  public void open(String kmsUrl) {
    timed("open", () -> {
      node(kmsUrl).open();
      return null;
    });
  }

  @Override
  public String createPipeline(String kmsUrl) {
    return call("createPipeline", kmsUrl, -1, lease -> this.<MediaPipeline>created(kmsUrl, lease.client()::createMediaPipeline));
  }

  /**
   * Creates the endpoint; its ICE candidate listener is added without waiting for it (one round
   * trip less for a join or a subscription): the endpoint's negotiation waits for it along with its
   * own steps, and its {@code gatherCandidates} is sent only once it is there.
   */
  @Override
  public String createEndpoint(String kmsUrl, String pipelineId, Consumer<IceCandidate> candidates) {
    String id = call("createEndpoint", kmsUrl, -1, lease -> {
      MediaPipeline pipeline = lease.client().getById(pipelineId, MediaPipeline.class);
      return this.<WebRtcEndpoint>created(kmsUrl, new WebRtcEndpoint.Builder(pipeline)::buildAsync);
    });
    if (candidates != null) {
      subscribeInFlight(kmsUrl, id, candidates);
    }
    return id;
  }

  /** An endpoint's ICE candidate listener being added: its outcome, and what it hands candidates to. */
  private record Subscribing(CompletableFuture<Listener> done, Consumer<IceCandidate> candidates) {}

  private void subscribeInFlight(String kmsUrl, String endpointId, Consumer<IceCandidate> candidates) {
    String key = key(kmsUrl, endpointId);
    CompletableFuture<Listener> added;
    try {
      int[] session = {-1};
      added = this.<ListenerSubscription>send("subscribe", kmsUrl, (lease, done) -> {
        session[0] = lease.session();
        lease.client().getById(endpointId, WebRtcEndpoint.class).addIceCandidateFoundListener(handing(candidates),
            done);
      }).thenApply(subscription -> new Listener(session[0], subscription));
    } catch (MediaException e) {
      added = CompletableFuture.failedFuture(e); // no slot in time: tried again by the negotiation
    }
    CompletableFuture<Listener> sent = new CompletableFuture<>();
    Subscribing entry = new Subscribing(sent, candidates);
    subscribing.put(key, entry);
    // Completes once the listener is where listener() finds it (unless the endpoint went meanwhile).
    added.whenComplete((listener, e) -> {
      if (e == null) {
        if (subscribing.remove(key, entry)) {
          listeners.put(key, listener);
        }
        sent.complete(listener);
      } else {
        sent.completeExceptionally(e);
      }
    });
  }

  /**
   * What a negotiation of the endpoint waits for besides its own steps: its listener being added;
   * one that failed is added again now (after KMS answered the offer, no candidate of it is lost:
   * gathering starts after).
   */
  private CompletableFuture<?> listening(String kmsUrl, String endpointId) {
    String key = key(kmsUrl, endpointId);
    Subscribing entry = subscribing.get(key);
    if (entry == null) {
      return null;
    }
    if (entry.done().isCompletedExceptionally()) {
      subscribing.remove(key, entry);
      subscribeInFlight(kmsUrl, endpointId, entry.candidates());
      entry = subscribing.get(key);
    }
    return entry == null ? null : entry.done();
  }

  @Override
  public void listen(String kmsUrl, String endpointId, Consumer<IceCandidate> candidates) {
    subscribing.remove(key(kmsUrl, endpointId));
    Listener previous = call("subscribe", kmsUrl, -1, lease -> listeners.put(key(kmsUrl, endpointId),
        new Listener(lease.session(), subscribe(lease.client().getById(endpointId, WebRtcEndpoint.class), candidates))));
    if (previous != null) {
      removeFromKms(kmsUrl, endpointId, previous);
    }
  }

  @Override
  public Object listener(String kmsUrl, String endpointId) {
    Subscribing being = subscribing.get(key(kmsUrl, endpointId));
    if (being != null) {
      try {
        being.done().get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS); // in listeners once added
      } catch (ExecutionException | TimeoutException e) {
        return null; // none was added
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return listeners.get(key(kmsUrl, endpointId));
  }

  @Override
  public void unlisten(String kmsUrl, String endpointId, Object listener) {
    if (listener == null || !listeners.remove(key(kmsUrl, endpointId), listener)) {
      return; // none, or replaced by a newer one (whose listen removed this one from KMS)
    }
    removeFromKms(kmsUrl, endpointId, (Listener) listener);
  }

  private void removeFromKms(String kmsUrl, String endpointId, Listener listener) {
    try {
      call("unsubscribe", kmsUrl, listener.session(), lease -> {
        lease.client().getById(endpointId, WebRtcEndpoint.class).removeIceCandidateFoundListener(listener.subscription());
        return null;
      });
    } catch (RuntimeException e) {
      log.debug("listener on {} not removed (endpoint gone?): {}", endpointId, e.toString());
    }
  }

  @Override
  public void disconnect(String kmsUrl) {
    listeners.keySet().removeIf(k -> k.startsWith(kmsUrl + " "));
    subscribing.keySet().removeIf(k -> k.startsWith(kmsUrl + " "));
    KmsNode node = nodes.remove(kmsUrl);
    if (node != null) {
      node.close();
      registry.find("switchboard.signaling.kms.requests.in.flight").tag("node", kmsUrl).meters().forEach(registry::remove);
      registry.find("switchboard.signaling.kms.requests.waiting").tag("node", kmsUrl).meters().forEach(registry::remove);
    }
  }

  @Override
  public void forget(String kmsUrl, String endpointId) {
    listeners.remove(key(kmsUrl, endpointId));
    subscribing.remove(key(kmsUrl, endpointId));
  }

  private static ListenerSubscription subscribe(WebRtcEndpoint endpoint, Consumer<IceCandidate> candidates) {
    return endpoint.addIceCandidateFoundListener(handing(candidates));
  }

  /** KMS's IceCandidateFound events, handed on as candidates. */
  private static EventListener<IceCandidateFoundEvent> handing(Consumer<IceCandidate> candidates) {
    return e -> candidates.accept(new IceCandidate(e.getCandidate().getCandidate(), e.getCandidate().getSdpMid(),
        e.getCandidate().getSdpMLineIndex()));
  }

  private static String key(String kmsUrl, String objectId) {
    return kmsUrl + " " + objectId;
  }

  @Override
  public String createRecorder(String kmsUrl, String pipelineId, String uri) {
    return call("createRecorder", kmsUrl, -1, lease -> {
      MediaPipeline pipeline = lease.client().getById(pipelineId, MediaPipeline.class);
      return this.<RecorderEndpoint>created(kmsUrl,
          new RecorderEndpoint.Builder(pipeline, uri).withMediaProfile(MediaProfileSpecType.WEBM)::buildAsync);
    });
  }

  @Override
  public void record(String kmsUrl, String recorderId, Consumer<String> failed) {
    call("record", kmsUrl, -1, lease -> {
      RecorderEndpoint recorder = lease.client().getById(recorderId, RecorderEndpoint.class);
      recorder.addErrorListener(e -> failed.accept(e.getType() + ": " + e.getDescription()));
      recorder.record();
      return null;
    });
  }

  @Override
  public void stopRecording(String kmsUrl, String recorderId) {
    call("stopRecording", kmsUrl, -1, lease -> {
      RecorderEndpoint recorder = lease.client().getById(recorderId, RecorderEndpoint.class);
      recorder.stopAndWait();
      recorder.release();
      return null;
    });
  }

  @Override
  public String processOffer(String kmsUrl, String endpointId, String offer) {
    return call("processOffer", kmsUrl, -1,
        lease -> lease.client().getById(endpointId, WebRtcEndpoint.class).processOffer(offer));
  }

  @Override
  public String negotiate(String kmsUrl, String endpointId, String sourceId, List<IceCandidate> candidates,
      String offer) {
    // Each step its own request, on the least busy session, all in flight at once: KMS handles one
    // session's requests one after another, so spread over sessions they are handled side by side.
    List<CompletableFuture<?>> steps = new ArrayList<>(candidates.size() + 2);
    try {
      if (sourceId != null) {
        steps.add(this.<Void>send("connect", kmsUrl, (lease, done) -> lease.client().getById(sourceId,
            MediaElement.class).connect(lease.client().getById(endpointId, MediaElement.class), done)));
      }
      for (IceCandidate c : candidates) {
        steps.add(this.<Void>send("addIceCandidate", kmsUrl, (lease, done) ->
            lease.client().getById(endpointId, WebRtcEndpoint.class).addIceCandidate(kurento(c), done)));
      }
    } catch (MediaException e) {
      throw new MediaException(e.getMessage(), false, e); // no slot in time: the offer was never sent
    }
    CompletableFuture<?> listened = listening(kmsUrl, endpointId);
    if (listened != null) {
      steps.add(listened);
    }
    CompletableFuture<String> answer = send("processOffer", kmsUrl, (lease, done) ->
        lease.client().getById(endpointId, WebRtcEndpoint.class).processOffer(offer, done));
    steps.add(answer);
    try {
      // Every step completes (or times out) by itself within the request timeout.
      CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e); // not thrown: failures are read from each step below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaException("interrupted while negotiating with " + kmsUrl, false, e);
    }
    if (answer.isCompletedExceptionally()) {
      throw failure(answer);
    }
    for (CompletableFuture<?> step : steps) {
      if (step.isCompletedExceptionally()) {
        MediaException e = failure(step);
        throw new MediaException(e.getMessage(), false, e); // the offer was answered; the rest failed
      }
    }
    return answer.join();
  }

  @Override
  public void gatherCandidates(String kmsUrl, String endpointId) {
    Subscribing listening = subscribing.get(key(kmsUrl, endpointId));
    CompletableFuture<?> before = listening == null ? CompletableFuture.completedFuture(null) : listening.done();
    // Not before its candidates are listened to: the first would be lost.
    before.thenCompose(listened -> this.<Void>send("gatherCandidates", kmsUrl, (lease, done) ->
        lease.client().getById(endpointId, WebRtcEndpoint.class).gatherCandidates(done)))
        .whenComplete((nothing, e) -> unanswered("gatherCandidates", endpointId, e));
  }

  @Override
  public void addIceCandidate(String kmsUrl, String endpointId, IceCandidate c) {
    this.<Void>send("addIceCandidate", kmsUrl, (lease, done) ->
        lease.client().getById(endpointId, WebRtcEndpoint.class).addIceCandidate(kurento(c), done))
        .whenComplete((nothing, e) -> unanswered("addIceCandidate", endpointId, e));
  }

  private static org.kurento.client.IceCandidate kurento(IceCandidate c) {
    return new org.kurento.client.IceCandidate(c.candidate(), c.sdpMid(), c.sdpMLineIndex());
  }

  /** A request nobody waits for failed: an endpoint gone meanwhile is usual (its participant left). */
  private static void unanswered(String operation, String endpointId, Throwable e) {
    if (e == null) {
      return;
    }
    MediaException failure = mediaException(e);
    if (failure.refused()) {
      log.debug("{} on {} refused (endpoint gone?): {}", operation, endpointId, failure.getMessage());
    } else {
      log.warn("{} on {} not answered: {}", operation, endpointId, failure.getMessage());
    }
  }

  /** One request sent through kurento-client's asynchronous API. */
  @FunctionalInterface
  private interface Request<T> {
    void send(Lease lease, Continuation<T> done);
  }

  /**
   * Sends one request on the node's least busy session without waiting for its answer: a slot is
   * taken here (waiting for one up to the request timeout, which throws {@link MediaException}),
   * and given back, and the request timed, when the answer comes or the request timeout passes.
   */
  private <T> CompletableFuture<T> send(String operation, String kmsUrl, Request<T> request) {
    Timer.Sample sample = Timer.start(registry);
    Lease lease;
    try {
      lease = node(kmsUrl).lease(-1);
    } catch (MediaException e) {
      stop(sample, operation, "unreachable");
      throw e;
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    // What the caller gets completes once the slot is back and the request timed.
    CompletableFuture<T> answered = result.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((value, e) -> {
          lease.close();
          stop(sample, operation, outcome(e));
        });
    try {
      request.send(lease, completing(result));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return answered;
  }

  /** A continuation that completes {@code result} with kurento-client's answer. */
  private static <T> Continuation<T> completing(CompletableFuture<T> result) {
    return new Continuation<>() {
      @Override
      public void onSuccess(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable cause) {
        result.completeExceptionally(cause);
      }
    };
  }

  private static String outcome(Throwable e) {
    Throwable cause = unwrap(e);
    if (cause == null) {
      return "ok";
    }
    if (cause instanceof KurentoServerException || cause instanceof JsonRpcErrorException) {
      return "refused";
    }
    if (cause instanceof MediaException m) {
      return m.refused() ? "refused" : "unreachable";
    }
    return cause instanceof KurentoException || cause instanceof TimeoutException ? "unreachable" : "error";
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private static MediaException failure(CompletableFuture<?> step) {
    try {
      step.join();
      throw new IllegalStateException("not failed");
    } catch (java.util.concurrent.CompletionException e) {
      return mediaException(e.getCause());
    } catch (java.util.concurrent.CancellationException e) {
      return mediaException(e);
    }
  }

  /** A failed request as this port reports it: refused when KMS answered an error. */
  private static MediaException mediaException(Throwable e) {
    Throwable cause = unwrap(e);
    if (cause instanceof MediaException m) {
      return m;
    }
    if (cause instanceof KurentoServerException || cause instanceof JsonRpcErrorException) {
      // KMS answered an error (the asynchronous API reports it as the latter).
      return new MediaException(cause.getMessage(), true, cause);
    }
    if (cause instanceof TimeoutException) {
      return new MediaException("no answer within the request timeout", false, cause);
    }
    return new MediaException(String.valueOf(cause.getMessage()), false, cause);
  }

  @Override
  public void connect(String kmsUrl, String sourceId, String sinkId) {
    call("connect", kmsUrl, -1, lease -> {
      lease.client().getById(sourceId, MediaElement.class).connect(lease.client().getById(sinkId, MediaElement.class));
      return null;
    });
  }

  @Override
  public void release(String kmsUrl, String objectId) {
    listeners.remove(key(kmsUrl, objectId)); // KMS drops an object's subscriptions with it
    // and its children's: a pipeline's endpoints (ids "<pipeline>/<endpoint>") go with it.
    String children = key(kmsUrl, objectId) + "/";
    listeners.keySet().removeIf(k -> k.startsWith(children));
    subscribing.remove(key(kmsUrl, objectId));
    subscribing.keySet().removeIf(k -> k.startsWith(children));
    call("release", kmsUrl, -1, lease -> {
      lease.client().getById(objectId, MediaObject.class).release();
      return null;
    });
  }

  /**
   * The id of an object created through kurento-client's asynchronous API, waited for here up to
   * the request timeout. One that KMS creates after that is released as soon as it arrives.
   */
  private <T extends KurentoObject> String created(String kmsUrl, Consumer<Continuation<T>> create) {
    CompletableFuture<T> result = new CompletableFuture<>();
    create.accept(completing(result));
    try {
      return result.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS).getId();
    } catch (TimeoutException e) {
      // Released without waiting: this runs on kurento-client's own thread.
      result.thenAccept(late -> late.release(new Continuation<>() {
        @Override
        public void onSuccess(Void nothing) {
          log.info("{} created on {} after the request timed out: released", late.getId(), kmsUrl);
        }

        @Override
        public void onError(Throwable cause) {
          log.warn("{} created on {} after the request timed out, and not released: {}", late.getId(), kmsUrl,
              cause.toString());
        }
      }));
      throw new KurentoException("no answer from " + kmsUrl + " within " + requestTimeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new KurentoException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KurentoException("interrupted while creating an object on " + kmsUrl);
    }
  }

  /** One request on session {@code session} of the node (the least busy when negative), timed. */
  private <T> T call(String operation, String kmsUrl, int session, Function<Lease, T> action) {
    return timed(operation, () -> {
      try (Lease lease = node(kmsUrl).lease(session)) {
        return action.apply(lease);
      }
    });
  }

  private <T> T timed(String operation, Supplier<T> action) {
    Timer.Sample sample = Timer.start(registry);
    String outcome = "error";
    try {
      T result = action.get();
      outcome = "ok";
      return result;
    } catch (KurentoServerException e) {
      outcome = "refused";
      throw new MediaException(e.getMessage(), true, e);
    } catch (KurentoException e) {
      outcome = "unreachable";
      throw new MediaException(e.getMessage(), false, e);
    } catch (MediaException e) {
      outcome = e.refused() ? "refused" : "unreachable";
      throw e;
    } finally {
      stop(sample, operation, outcome);
    }
  }

  private void stop(Timer.Sample sample, String operation, String outcome) {
    sample.stop(Timer.builder("switchboard.signaling.kms.request")
        .description("one request to KMS, by operation and outcome")
        .tag("operation", operation).tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(registry));
  }

  @Override
  public void close() {
    nodes.values().forEach(KmsNode::close);
    nodes.clear();
  }
}
