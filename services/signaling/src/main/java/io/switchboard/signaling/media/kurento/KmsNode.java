package io.switchboard.signaling.media.kurento;

import io.switchboard.signaling.domain.MediaServer.MediaException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.kurento.client.KurentoClient;
import org.kurento.jsonrpc.client.JsonRpcClientNettyWebSocket;

/**
 * One KMS node as this pod sees it: a few KMS sessions (one WebSocket and one kurento-client each)
 * and a bound on the requests in flight to the node.
 *
 * <p>Why several sessions: KMS handles the requests of one WebSocket one after another
 * (reference §1), so one socket caps a pod at one request per KMS processing time, whatever its
 * cores. Each request goes to the session with the fewest requests outstanding. KMS attaches an
 * object to every session that invokes or subscribes to it (reference §4.2), so an object created
 * on one session and used from another is owned by both; all of them live and die with this pod,
 * and none closes its session when the pod stops (media outlives signaling; KMS collects what no
 * open socket holds). Events of a subscription come to the session that made it, so a listener is
 * removed through the session that added it ({@link Lease#client()}).
 *
 * <p>The bound: at most {@code maxInFlight} requests to the node at once; the rest wait, in
 * arrival order, up to the request timeout, and then fail as unreachable. A burst queues here
 * rather than piling onto KMS.
 */
final class KmsNode implements AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(KmsNode.class);

  private final String url;
  private final Duration requestTimeout;
  private final List<Session> sessions;
  private final Semaphore slots;
  private final int maxInFlight;
  private final AtomicInteger waiting = new AtomicInteger();

  KmsNode(String url, int sessionCount, int maxInFlight, Duration requestTimeout) {
    this.url = url;
    this.requestTimeout = requestTimeout;
    this.maxInFlight = maxInFlight;
    this.slots = new Semaphore(maxInFlight, true);
    List<Session> list = new ArrayList<>(sessionCount);
    for (int i = 0; i < sessionCount; i++) {
      list.add(new Session(i));
    }
    this.sessions = List.copyOf(list);
  }

  /**
   * A slot for one request, held until {@link Lease#close()}, on session {@code index} (the one a
   * listener was added on: its removal goes there too), or on the least busy when negative.
   */
  Lease lease(int index) {
    waiting.incrementAndGet();
    try {
      if (!slots.tryAcquire(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new MediaException("KMS node " + url + " is busy: " + maxInFlight
            + " requests in flight for longer than " + requestTimeout.toMillis() + " ms", false, null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MediaException("interrupted while waiting for KMS node " + url, false, e);
    } finally {
      waiting.decrementAndGet();
    }
    Session chosen = index >= 0 ? sessions.get(index) : leastBusy();
    chosen.outstanding.incrementAndGet();
    try {
      return new Lease(chosen, chosen.client());
    } catch (RuntimeException e) {
      chosen.outstanding.decrementAndGet();
      slots.release();
      throw e;
    }
  }

  private Session leastBusy() {
    Session chosen = sessions.get(0);
    for (Session s : sessions) {
      if (s.outstanding.get() < chosen.outstanding.get()) {
        chosen = s;
      }
    }
    return chosen;
  }

  /** Opens every session with one request each, so that the first burst does not pay for it. */
  void open() {
    for (int i = 0; i < sessions.size(); i++) {
      try (Lease lease = lease(i)) {
        lease.client().getServerManager().getInfo();
      }
    }
  }

  int inFlight() {
    return maxInFlight - slots.availablePermits();
  }

  int waiting() {
    return waiting.get();
  }

  @Override
  public void close() {
    sessions.forEach(Session::close);
  }

  /** One request's session and slot. */
  final class Lease implements AutoCloseable {
    private final Session session;
    private final KurentoClient client;

    private Lease(Session session, KurentoClient client) {
      this.session = session;
      this.client = client;
    }

    KurentoClient client() {
      return client;
    }

    int session() {
      return session.index;
    }

    @Override
    public void close() {
      session.outstanding.decrementAndGet();
      slots.release();
    }
  }

  private final class Session {
    private final int index;
    private final AtomicInteger outstanding = new AtomicInteger();
    private KurentoClient client;

    Session(int index) {
      this.index = index;
    }

    /** Created on first use; kurento-client connects on its first request and reconnects by itself. */
    synchronized KurentoClient client() {
      if (client == null) {
        JsonRpcClientNettyWebSocket rpc = new JsonRpcClientNettyWebSocket(url);
        rpc.setRequestTimeout(requestTimeout.toMillis());
        rpc.setLabel("signaling-" + index);
        // A pod that stops (even cleanly) must not end its rooms' media: no closeSession.
        rpc.setSendCloseMessage(false);
        client = KurentoClient.createFromJsonRpcClientHonoringClientTimeouts(rpc);
      }
      return client;
    }

    synchronized void close() {
      if (client != null) {
        try {
          client.destroy();
        } catch (RuntimeException e) {
          log.debug("session {} of {} not closed cleanly: {}", index, url, e.toString());
        }
        client = null;
      }
    }
  }
}
