package io.switchboard.signaling.media.kurento;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.signaling.domain.MediaServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.kurento.client.KurentoClient;
import org.kurento.client.ListenerSubscription;
import org.kurento.client.MediaElement;
import org.kurento.client.MediaObject;
import org.kurento.client.MediaPipeline;
import org.kurento.client.MediaProfileSpecType;
import org.kurento.client.RecorderEndpoint;
import org.kurento.client.WebRtcEndpoint;
import org.kurento.client.internal.server.KurentoServerException;
import org.kurento.commons.exception.KurentoException;
import org.kurento.jsonrpc.client.JsonRpcClientNettyWebSocket;

/**
 * KMS through kurento-client: one client per node, created on first use, reconnecting by itself.
 * Every request is timed as {@code switchboard.signaling.kms.request} by operation and outcome
 * ({@code ok}; {@code refused}: KMS answered an error; {@code unreachable}: no answer in time or no
 * connection; {@code error}: anything else).
 */
public final class KurentoMediaServer implements MediaServer, AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(KurentoMediaServer.class);

  private final Duration requestTimeout;
  private final MeterRegistry registry;
  private final Map<String, KurentoClient> clients = new ConcurrentHashMap<>();
  /** This pod's ICE candidate listener per endpoint ({@code kmsUrl + " " + endpointId}). */
  private final Map<String, ListenerSubscription> listeners = new ConcurrentHashMap<>();

  public KurentoMediaServer(Duration requestTimeout, MeterRegistry registry) {
    this.requestTimeout = requestTimeout;
    this.registry = registry;
  }

  private KurentoClient client(String kmsUrl) {
    return clients.computeIfAbsent(kmsUrl, url -> {
      JsonRpcClientNettyWebSocket rpc = new JsonRpcClientNettyWebSocket(url);
      rpc.setRequestTimeout(requestTimeout.toMillis());
      rpc.setLabel("signaling");
      // A pod that stops (even cleanly) must not end its rooms' media: no closeSession.
      rpc.setSendCloseMessage(false);
      return KurentoClient.createFromJsonRpcClientHonoringClientTimeouts(rpc);
    });
  }

  @Override
  public String createPipeline(String kmsUrl) {
    return call("createPipeline", () -> client(kmsUrl).createMediaPipeline().getId());
  }

  @Override
  public String createEndpoint(String kmsUrl, String pipelineId, Consumer<IceCandidate> candidates) {
    return call("createEndpoint", () -> {
      MediaPipeline pipeline = client(kmsUrl).getById(pipelineId, MediaPipeline.class);
      WebRtcEndpoint endpoint = new WebRtcEndpoint.Builder(pipeline).build();
      if (candidates != null) {
        listeners.put(key(kmsUrl, endpoint.getId()), subscribe(endpoint, candidates));
      }
      return endpoint.getId();
    });
  }

  @Override
  public void listen(String kmsUrl, String endpointId, Consumer<IceCandidate> candidates) {
    call("subscribe", () -> {
      WebRtcEndpoint endpoint = endpoint(kmsUrl, endpointId);
      ListenerSubscription previous = listeners.put(key(kmsUrl, endpointId), subscribe(endpoint, candidates));
      if (previous != null) {
        endpoint.removeIceCandidateFoundListener(previous);
      }
      return null;
    });
  }

  @Override
  public Object listener(String kmsUrl, String endpointId) {
    return listeners.get(key(kmsUrl, endpointId));
  }

  @Override
  public void unlisten(String kmsUrl, String endpointId, Object listener) {
    if (listener == null || !listeners.remove(key(kmsUrl, endpointId), listener)) {
      return; // none, or replaced by a newer one (whose listen removed this one from KMS)
    }
    ListenerSubscription subscription = (ListenerSubscription) listener;
    try {
      call("unsubscribe", () -> {
        endpoint(kmsUrl, endpointId).removeIceCandidateFoundListener(subscription);
        return null;
      });
    } catch (RuntimeException e) {
      log.debug("listener on {} not removed (endpoint gone?): {}", endpointId, e.toString());
    }
  }

  @Override
  public void disconnect(String kmsUrl) {
    listeners.keySet().removeIf(k -> k.startsWith(kmsUrl + " "));
    KurentoClient client = clients.remove(kmsUrl);
    if (client != null) {
      try {
        client.destroy();
      } catch (RuntimeException e) {
        log.debug("client of {} not closed cleanly: {}", kmsUrl, e.toString());
      }
    }
  }

  @Override
  public void forget(String kmsUrl, String endpointId) {
    listeners.remove(key(kmsUrl, endpointId));
  }

  private static ListenerSubscription subscribe(WebRtcEndpoint endpoint, Consumer<IceCandidate> candidates) {
    return endpoint.addIceCandidateFoundListener(e -> candidates.accept(new IceCandidate(
        e.getCandidate().getCandidate(), e.getCandidate().getSdpMid(), e.getCandidate().getSdpMLineIndex())));
  }

  private static String key(String kmsUrl, String objectId) {
    return kmsUrl + " " + objectId;
  }

  @Override
  public String createRecorder(String kmsUrl, String pipelineId, String uri) {
    return call("createRecorder", () -> {
      MediaPipeline pipeline = client(kmsUrl).getById(pipelineId, MediaPipeline.class);
      return new RecorderEndpoint.Builder(pipeline, uri).withMediaProfile(MediaProfileSpecType.WEBM).build().getId();
    });
  }

  @Override
  public void record(String kmsUrl, String recorderId, Consumer<String> failed) {
    call("record", () -> {
      RecorderEndpoint recorder = client(kmsUrl).getById(recorderId, RecorderEndpoint.class);
      recorder.addErrorListener(e -> failed.accept(e.getType() + ": " + e.getDescription()));
      recorder.record();
      return null;
    });
  }

  @Override
  public void stopRecording(String kmsUrl, String recorderId) {
    call("stopRecording", () -> {
      RecorderEndpoint recorder = client(kmsUrl).getById(recorderId, RecorderEndpoint.class);
      recorder.stopAndWait();
      recorder.release();
      return null;
    });
  }

  @Override
  public String processOffer(String kmsUrl, String endpointId, String offer) {
    return call("processOffer", () -> endpoint(kmsUrl, endpointId).processOffer(offer));
  }

  @Override
  public void gatherCandidates(String kmsUrl, String endpointId) {
    call("gatherCandidates", () -> {
      endpoint(kmsUrl, endpointId).gatherCandidates();
      return null;
    });
  }

  @Override
  public void addIceCandidate(String kmsUrl, String endpointId, IceCandidate c) {
    call("addIceCandidate", () -> {
      endpoint(kmsUrl, endpointId).addIceCandidate(new org.kurento.client.IceCandidate(c.candidate(), c.sdpMid(),
          c.sdpMLineIndex()));
      return null;
    });
  }

  @Override
  public void connect(String kmsUrl, String sourceId, String sinkId) {
    call("connect", () -> {
      KurentoClient client = client(kmsUrl);
      client.getById(sourceId, MediaElement.class).connect(client.getById(sinkId, MediaElement.class));
      return null;
    });
  }

  @Override
  public void release(String kmsUrl, String objectId) {
    listeners.remove(key(kmsUrl, objectId)); // KMS drops an object's subscriptions with it
    call("release", () -> {
      client(kmsUrl).getById(objectId, MediaObject.class).release();
      return null;
    });
  }

  private WebRtcEndpoint endpoint(String kmsUrl, String endpointId) {
    return client(kmsUrl).getById(endpointId, WebRtcEndpoint.class);
  }

  private <T> T call(String operation, Supplier<T> action) {
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
    } finally {
      sample.stop(Timer.builder("switchboard.signaling.kms.request")
          .description("one request to KMS, by operation and outcome")
          .tag("operation", operation).tag("outcome", outcome)
          .publishPercentileHistogram()
          .register(registry));
    }
  }

  @Override
  public void close() {
    clients.values().forEach(KurentoClient::destroy);
    clients.clear();
  }
}
