package io.switchboard.placement.media.kurento;

import io.switchboard.placement.domain.KmsReading;
import io.switchboard.placement.nodes.KmsProbe;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.kurento.client.KurentoClient;
import org.kurento.client.MediaObject;
import org.kurento.client.MediaPipeline;
import org.kurento.client.ServerManager;
import org.kurento.jsonrpc.client.JsonRpcClientNettyWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads KMS nodes with kurento-client: CPU from {@code getUsedCpu}, pipelines and endpoints from
 * the ServerManager's ObjectCreated / ObjectDestroyed events.
 *
 * <p>Why events and not {@code getPipelines} on every poll: {@code getPipelines} attaches every
 * object on the server to a hidden session, and a poller calling it more often than the KMS
 * garbage-collector period keeps every abandoned object alive for ever. It is called once per
 * connection, for a baseline, from a throwaway session that is closed right after.
 */
public final class KurentoKmsProbe implements KmsProbe {

  private static final Logger log = LoggerFactory.getLogger(KurentoKmsProbe.class);
  private static final String PIPELINE = "_kurento.MediaPipeline";
  private static final String WEBRTC = "_kurento.WebRtcEndpoint";

  private final Duration requestTimeout;
  private final Duration cpuSample;
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();

  public KurentoKmsProbe(Duration requestTimeout, Duration cpuSample) {
    this.requestTimeout = requestTimeout;
    this.cpuSample = cpuSample;
  }

  @Override
  public KmsReading read(String url) {
    Connection c = connections.computeIfAbsent(url, this::connect);
    try {
      ServerManager manager = c.client.getServerManager();
      float used = manager.getUsedCpu((int) cpuSample.toMillis());
      return new KmsReading(Math.min(1.0, used / (c.cpuCount * 100.0)), c.endpoints.size(), c.pipelines.size());
    } catch (RuntimeException e) {
      // Start over next time: a new session, new subscriptions and a new baseline.
      forget(url);
      throw e;
    }
  }

  private Connection connect(String url) {
    KurentoClient client = client(url);
    try {
      Connection c = new Connection(client, client.getServerManager().getCpuCount());
      ServerManager manager = client.getServerManager();
      manager.addObjectCreatedListener(e -> c.track(e.getObject().getId(), true));
      manager.addObjectDestroyedListener(e -> c.track(e.getObjectId(), false));
      baseline(url, c);
      return c;
    } catch (RuntimeException e) {
      client.destroy();
      throw e;
    }
  }

  private void baseline(String url, Connection c) {
    KurentoClient once = client(url);
    try {
      for (MediaPipeline pipeline : once.getServerManager().getPipelines()) {
        c.track(pipeline.getId(), true);
        for (MediaObject child : pipeline.getChildren()) {
          c.track(child.getId(), true);
        }
      }
    } finally {
      once.destroy();
    }
  }

  private KurentoClient client(String url) {
    JsonRpcClientNettyWebSocket rpc = new JsonRpcClientNettyWebSocket(url);
    rpc.setRequestTimeout(requestTimeout.toMillis());
    rpc.setConnectionTimeout((int) requestTimeout.toMillis());
    rpc.setLabel("placement-probe");
    // The monitor reconnects on its own schedule; a dead node must fail its polls, not hang them.
    rpc.setTryReconnectingForever(false);
    return KurentoClient.createFromJsonRpcClientHonoringClientTimeouts(rpc);
  }

  @Override
  public void forget(String url) {
    Connection c = connections.remove(url);
    if (c != null) {
      try {
        c.client.destroy();
      } catch (RuntimeException e) {
        log.debug("closing the probe of {} failed: {}", url, e.toString());
      }
    }
  }

  @Override
  public void close() {
    connections.keySet().forEach(this::forget);
  }

  /** One node's client and the ids of what lives on it. */
  private static final class Connection {
    final KurentoClient client;
    final int cpuCount;
    final Set<String> pipelines = ConcurrentHashMap.newKeySet();
    final Set<String> endpoints = ConcurrentHashMap.newKeySet();

    Connection(KurentoClient client, int cpuCount) {
      this.client = client;
      this.cpuCount = Math.max(1, cpuCount);
    }

    void track(String id, boolean alive) {
      Set<String> set = id.endsWith(PIPELINE) ? pipelines : id.endsWith(WEBRTC) ? endpoints : null;
      if (set == null) {
        return;
      }
      if (alive) {
        set.add(id);
      } else {
        set.remove(id);
        if (id.endsWith(PIPELINE)) {
          endpoints.removeIf(e -> e.startsWith(id + "/"));
        }
      }
    }
  }
}
