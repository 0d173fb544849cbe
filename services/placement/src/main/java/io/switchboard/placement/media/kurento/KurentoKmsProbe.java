package io.switchboard.placement.media.kurento;

import io.switchboard.placement.domain.KmsReading;
import io.switchboard.placement.nodes.KmsProbe;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.kurento.client.KurentoClient;
import org.kurento.client.MediaObject;
import org.kurento.client.MediaPipeline;
import org.kurento.client.ServerManager;
import org.kurento.jsonrpc.client.JsonRpcClientNettyWebSocket;
import org.kurento.jsonrpc.client.JsonRpcWSConnectionListener;
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
 *
 * <p>A connection that dropped, even one kurento-client reconnected by itself, is started over
 * (new session, subscriptions and baseline): subscriptions do not survive a KMS restart.
 */
public final class KurentoKmsProbe implements KmsProbe {

  private static final Logger log = LoggerFactory.getLogger(KurentoKmsProbe.class);
  private static final String PIPELINE = "_kurento.MediaPipeline";
  private static final String WEBRTC = "_kurento.WebRtcEndpoint";

  private final Duration requestTimeout;
  private final Duration cpuSample;
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  /** One lock per node URL: connecting (with its baseline) takes seconds and must not block other nodes. */
  private final Map<String, Object> connecting = new ConcurrentHashMap<>();

  public KurentoKmsProbe(Duration requestTimeout, Duration cpuSample) {
    this.requestTimeout = requestTimeout;
    this.cpuSample = cpuSample;
  }

  @Override
  public KmsReading read(String url) {
    Connection c = connection(url);
    try {
      ServerManager manager = c.client.getServerManager();
      float used = manager.getUsedCpu((int) cpuSample.toMillis());
      if (c.broken) {
        throw new IllegalStateException("the connection to " + url + " dropped during the poll");
      }
      return new KmsReading(Math.min(1.0, used / (c.cpuCount * 100.0)), c.endpoints.size(), c.pipelines.size());
    } catch (RuntimeException e) {
      forget(url);
      throw e;
    }
  }

  private Connection connection(String url) {
    Connection c = connections.get(url);
    if (c != null && !c.broken) {
      return c;
    }
    synchronized (connecting.computeIfAbsent(url, u -> new Object())) {
      c = connections.get(url);
      if (c != null && c.broken) {
        forget(url);
        c = null;
      }
      if (c == null) {
        c = connect(url);
        connections.put(url, c);
      }
      return c;
    }
  }

  private Connection connect(String url) {
    Connection c = new Connection();
    KurentoClient client = client(url, c);
    c.client = client;
    try {
      c.cpuCount = Math.max(1, client.getServerManager().getCpuCount());
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
    KurentoClient once = client(url, null);
    try {
      for (MediaPipeline pipeline : once.getServerManager().getPipelines()) {
        c.baseline(pipeline.getId());
        for (MediaObject child : pipeline.getChildren()) {
          c.baseline(child.getId());
        }
      }
    } finally {
      once.destroy();
      c.baselineDone();
    }
  }

  private KurentoClient client(String url, Connection owner) {
    JsonRpcClientNettyWebSocket rpc = owner == null
        ? new JsonRpcClientNettyWebSocket(url)
        : new JsonRpcClientNettyWebSocket(url, new BreakOnDrop(owner));
    rpc.setRequestTimeout(requestTimeout.toMillis());
    rpc.setConnectionTimeout((int) requestTimeout.toMillis());
    rpc.setLabel("placement-probe");
    // destroy() sends closeSession, so KMS drops this session's references at once.
    rpc.setSendCloseMessage(true);
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

  /** Any drop or reconnection makes the connection's counts untrustworthy. */
  private record BreakOnDrop(Connection connection) implements JsonRpcWSConnectionListener {
    @Override
    public void connected() {}

    @Override
    public void connectionFailed() {
      connection.broken = true;
    }

    @Override
    public void disconnected() {
      connection.broken = true;
    }

    @Override
    public void reconnected(boolean sameServer) {
      connection.broken = true;
    }

    @Override
    public void reconnecting() {
      connection.broken = true;
    }
  }

  /**
   * One node's client and the ids of what lives on it, kept from KMS's ObjectCreated and
   * ObjectDestroyed events — which kurento-client hands to listeners on a pool, so an object's
   * destruction can be handled before its creation: ids destroyed lately are remembered, and a
   * creation that comes after is not counted.
   */
  static final class Connection {
    volatile KurentoClient client;
    volatile int cpuCount = 1;
    volatile boolean broken;
    final Set<String> pipelines = ConcurrentHashMap.newKeySet();
    final Set<String> endpoints = ConcurrentHashMap.newKeySet();
    /** Destroyed while the baseline was being read: the baseline must not bring them back. */
    private final Set<String> destroyedDuringBaseline = ConcurrentHashMap.newKeySet();
    private volatile boolean baselining = true;
    /** Ids destroyed lately (the last {@link #REMEMBERED} of them), oldest first. Guarded by itself. */
    private final Map<String, Boolean> destroyed = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > REMEMBERED;
      }
    };
    static final int REMEMBERED = 10_000;

    void baseline(String id) {
      if (!destroyedDuringBaseline.contains(id)) {
        track(id, true);
      }
    }

    void baselineDone() {
      baselining = false;
      destroyedDuringBaseline.forEach(id -> track(id, false));
      destroyedDuringBaseline.clear();
    }

    void track(String id, boolean alive) {
      Set<String> set = id.endsWith(PIPELINE) ? pipelines : id.endsWith(WEBRTC) ? endpoints : null;
      if (set == null) {
        return;
      }
      synchronized (destroyed) {
        if (alive) {
          // Its destruction (or its pipeline's) was handled first: it is not alive.
          int slash = id.indexOf('/');
          if (!destroyed.containsKey(id) && !(slash > 0 && destroyed.containsKey(id.substring(0, slash)))) {
            set.add(id);
          }
          return;
        }
        destroyed.put(id, Boolean.TRUE);
      }
      if (baselining) {
        destroyedDuringBaseline.add(id);
      }
      set.remove(id);
      if (id.endsWith(PIPELINE)) {
        endpoints.removeIf(e -> e.startsWith(id + "/"));
      }
    }
  }
}
