package io.switchboard.signaling.media.kurento;

import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.signaling.domain.MediaServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.kurento.client.KurentoClient;
import org.kurento.client.MediaElement;
import org.kurento.client.MediaObject;
import org.kurento.client.MediaPipeline;
import org.kurento.client.WebRtcEndpoint;
import org.kurento.client.internal.server.KurentoServerException;
import org.kurento.commons.exception.KurentoException;
import org.kurento.jsonrpc.client.JsonRpcClientNettyWebSocket;

/** KMS through kurento-client: one client per node, created on first use, reconnecting by itself. */
public final class KurentoMediaServer implements MediaServer, AutoCloseable {

  private final Duration requestTimeout;
  private final Map<String, KurentoClient> clients = new ConcurrentHashMap<>();

  public KurentoMediaServer(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
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
    return call(() -> client(kmsUrl).createMediaPipeline().getId());
  }

  @Override
  public String createEndpoint(String kmsUrl, String pipelineId, Consumer<IceCandidate> candidates) {
    return call(() -> {
      MediaPipeline pipeline = client(kmsUrl).getById(pipelineId, MediaPipeline.class);
      WebRtcEndpoint endpoint = new WebRtcEndpoint.Builder(pipeline).build();
      endpoint.addIceCandidateFoundListener(e -> candidates.accept(new IceCandidate(
          e.getCandidate().getCandidate(), e.getCandidate().getSdpMid(), e.getCandidate().getSdpMLineIndex())));
      return endpoint.getId();
    });
  }

  @Override
  public String processOffer(String kmsUrl, String endpointId, String offer) {
    return call(() -> endpoint(kmsUrl, endpointId).processOffer(offer));
  }

  @Override
  public void gatherCandidates(String kmsUrl, String endpointId) {
    call(() -> {
      endpoint(kmsUrl, endpointId).gatherCandidates();
      return null;
    });
  }

  @Override
  public void addIceCandidate(String kmsUrl, String endpointId, IceCandidate c) {
    call(() -> {
      endpoint(kmsUrl, endpointId).addIceCandidate(new org.kurento.client.IceCandidate(c.candidate(), c.sdpMid(),
          c.sdpMLineIndex()));
      return null;
    });
  }

  @Override
  public void connect(String kmsUrl, String sourceId, String sinkId) {
    call(() -> {
      KurentoClient client = client(kmsUrl);
      client.getById(sourceId, MediaElement.class).connect(client.getById(sinkId, MediaElement.class));
      return null;
    });
  }

  @Override
  public void release(String kmsUrl, String objectId) {
    call(() -> {
      client(kmsUrl).getById(objectId, MediaObject.class).release();
      return null;
    });
  }

  private WebRtcEndpoint endpoint(String kmsUrl, String endpointId) {
    return client(kmsUrl).getById(endpointId, WebRtcEndpoint.class);
  }

  private static <T> T call(Supplier<T> action) {
    try {
      return action.get();
    } catch (KurentoServerException e) {
      throw new MediaException(e.getMessage(), true, e);
    } catch (KurentoException e) {
      throw new MediaException(e.getMessage(), false, e);
    }
  }

  @Override
  public void close() {
    clients.values().forEach(KurentoClient::destroy);
    clients.clear();
  }
}
