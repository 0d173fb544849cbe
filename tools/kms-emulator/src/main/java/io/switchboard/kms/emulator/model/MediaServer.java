package io.switchboard.kms.emulator.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.kms.emulator.EmulatorConfig;
import io.switchboard.kms.emulator.rpc.KmsException;
import io.switchboard.kms.emulator.sdp.SdpIdentity;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one emulated KMS: media objects, sessions and who holds what, event subscriptions,
 * the garbage collector and the load model. One lock (this object's monitor) guards all of it;
 * every public method takes it.
 */
public final class MediaServer {

  /** The id of the session {@code getPipelines} quietly attaches every object to (§4.4). */
  static final String HIDDEN_SESSION = "";

  private static final Logger log = LoggerFactory.getLogger(MediaServer.class);
  private static final long BASE_MEMORY_KIB = 68_728;

  private final EmulatorConfig config;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ObjectMapper mapper;
  private final Random random = new Random();
  private final String serverId = UUID.randomUUID().toString();
  private final String fingerprint = SdpIdentity.randomFingerprint();
  private final ServerManager serverManager;

  private final Map<String, MediaObject> objects = new HashMap<>();
  private final Map<String, KmsSession> sessions = new LinkedHashMap<>();
  private final Map<String, Peer> bindings = new HashMap<>();
  private final Map<Peer, String> peerSessions = new HashMap<>();
  /** objectId → event type → sessionId → subscription ids. */
  private final Map<String, Map<String, Map<String, Set<String>>>> subscriptions = new HashMap<>();
  private final Map<String, Subscription> subscriptionsById = new HashMap<>();
  private final List<ElementLink> links = new ArrayList<>();
  /** The same links by sink and by source, so a flow check reads an element's own links only. */
  private final Map<MediaElement, List<ElementLink>> linksBySink = new IdentityHashMap<>();
  private final Map<MediaElement, List<ElementLink>> linksBySource = new IdentityHashMap<>();
  /** Elements whose flow states may have changed since the last {@link #refreshFlows}. */
  private final Set<MediaElement> flowsToCheck = Collections.newSetFromMap(new IdentityHashMap<>());
  private Double cpuOverride;

  private record Subscription(String sessionId, String objectId, String type) {}

  public MediaServer(EmulatorConfig config, Clock clock, ScheduledExecutorService scheduler, ObjectMapper mapper) {
    this.config = config;
    this.clock = clock;
    this.scheduler = scheduler;
    this.mapper = mapper;
    this.serverManager = new ServerManager(this);
    objects.put(serverManager.id(), serverManager);
    long gcMillis = config.gcPeriod().toMillis();
    scheduler.scheduleAtFixedRate(this::collectGarbage, gcMillis, gcMillis, TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- accessors used by objects

  public EmulatorConfig config() {
    return config;
  }

  public Clock clock() {
    return clock;
  }

  Random random() {
    return random;
  }

  public String serverId() {
    return serverId;
  }

  String fingerprint() {
    return fingerprint;
  }

  /** Runs {@code task} under the lock after {@code millis}, unless the emulator stopped. */
  void later(long millis, Runnable task) {
    if (scheduler.isShutdown()) {
      return;
    }
    scheduler.schedule(
        () -> {
          synchronized (this) {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("scheduled emulator task failed", e);
            }
          }
        },
        millis,
        TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- objects

  /** Finds a live object; "newref:" ids only exist inside a transaction (40109). */
  public synchronized MediaObject find(String id) {
    MediaObject o = objects.get(id);
    if (o == null) {
      if (id.startsWith("newref:")) {
        throw KmsException.newrefOutsideTransaction(id);
      }
      throw KmsException.objectNotFound(id);
    }
    return o;
  }

  public synchronized String create(String sessionId, String type, Params ctor) {
    Factory factory = FACTORIES.get(type);
    if (factory == null) {
      throw KmsException.factoryNotFound(type);
    }
    MediaPipeline pipeline = null;
    if (factory.needsPipeline) {
      ctor.required();
      String pipelineId = ctor.string("mediaPipeline");
      MediaObject p = find(pipelineId);
      if (!(p instanceof MediaPipeline mp)) {
        throw KmsException.marshall("'mediaPipeline' parameter should be a MediaPipeline");
      }
      pipeline = mp;
    }
    if (mediaObjectCount() >= config.capacity()) {
      throw KmsException.notEnoughResources("Reached KMS threads limit: " + config.capacity());
    }
    String uuid = UUID.randomUUID().toString();
    String id = pipeline == null ? uuid + "_kurento." + type : pipeline.id() + "/" + uuid + "_kurento." + type;
    MediaObject created = factory.make.create(this, id, pipeline, ctor);
    objects.put(id, created);
    if (pipeline != null) {
      pipeline.children().add(id);
      for (String holder : new ArrayList<>(pipeline.holders)) {
        attachOne(holder, created);
      }
    }
    attach(sessionId, created);
    ObjectNode data = JSON.objectNode().put("object", id);
    emit(serverManager, "ObjectCreated", data);
    return id;
  }

  /** Finds an object and attaches it (and its ancestors) to the session, in one locked step. */
  public synchronized MediaObject findAndAttach(String sessionId, String id) {
    MediaObject o = find(id);
    attach(sessionId, o);
    return o;
  }

  /** Finds an object and subscribes the session to one of its events, in one locked step. */
  public synchronized String findAndSubscribe(String sessionId, String id, String type) {
    return subscribe(sessionId, find(id), type);
  }

  /** Attaches {@code o} and its ancestors to the session, registering the session (§4.2). */
  public synchronized void attach(String sessionId, MediaObject o) {
    KmsSession s = register(sessionId);
    s.active = true;
    for (MediaObject x = o; x != null; x = x.parent()) {
      if (x != serverManager) {
        attachOne(sessionId, x);
      }
    }
  }

  private void attachOne(String sessionId, MediaObject o) {
    register(sessionId).objects.add(o.id());
    o.holders.add(sessionId);
  }

  private KmsSession register(String sessionId) {
    return sessions.computeIfAbsent(sessionId, KmsSession::new);
  }

  /** {@code release}: destroys the object and its descendants for everyone. Unknown ids are fine. */
  public synchronized void release(String id) {
    MediaObject o = objects.get(id);
    if (o == null || o == serverManager) {
      return;
    }
    destroy(o);
    refreshFlows();
  }

  /** {@code unref}: detaches the object and its descendants from one session. */
  public synchronized void unref(String sessionId, String id) {
    MediaObject o = objects.get(id);
    KmsSession s = sessions.get(sessionId);
    if (o == null || s == null) {
      return;
    }
    List<MediaObject> subtree = new ArrayList<>();
    collectSubtree(o, subtree);
    for (MediaObject x : subtree) {
      x.holders.remove(sessionId);
      s.objects.remove(x.id());
    }
    destroyOrphans();
  }

  /** {@code closeSession}: forget the session; with release, destroy what it held for everyone. */
  public synchronized void closeSession(String sessionId, boolean release) {
    KmsSession s = sessions.remove(sessionId);
    removeSubscriptionsOf(sessionId);
    if (s == null) {
      return;
    }
    for (String id : new ArrayList<>(s.objects)) {
      MediaObject o = objects.get(id);
      if (o == null) {
        continue;
      }
      o.holders.remove(sessionId);
      if (release && o.alive()) {
        destroy(o);
      }
    }
    destroyOrphans();
  }

  private void destroyOrphans() {
    List<MediaObject> orphans = objects.values().stream()
        .filter(o -> o != serverManager && o.holders.isEmpty())
        // parents after children: deepest ids first
        .sorted(Comparator.comparingInt((MediaObject o) -> depth(o)).reversed())
        .toList();
    for (MediaObject o : orphans) {
      if (o.alive()) {
        destroy(o);
      }
    }
    if (!orphans.isEmpty()) {
      refreshFlows();
    }
  }

  private static int depth(MediaObject o) {
    int d = 0;
    for (MediaObject x = o.parent(); x != null; x = x.parent()) {
      d++;
    }
    return d;
  }

  private void collectSubtree(MediaObject o, List<MediaObject> out) {
    out.add(o);
    for (String child : o.children()) {
      MediaObject c = objects.get(child);
      if (c != null) {
        collectSubtree(c, out);
      }
    }
  }

  private void destroy(MediaObject o) {
    for (String child : new ArrayList<>(o.children().descendingSet())) {
      MediaObject c = objects.get(child);
      if (c != null) {
        destroy(c);
      }
    }
    if (o instanceof MediaElement element) {
      List<ElementLink> own = new ArrayList<>(linksBySink.getOrDefault(element, List.of()));
      own.addAll(linksBySource.getOrDefault(element, List.of()));
      own.sort(Comparator.comparing(ElementLink::mediaType));
      for (ElementLink link : own) {
        removeLink(link);
        if (link.sink() == element && link.source().alive()) {
          link.source().emitLinkEvent("ElementDisconnected", link);
        }
        if (link.source() == element) {
          flowsToCheck.add(link.sink()); // its source is gone
        }
      }
      flowsToCheck.remove(element);
    }
    if (o.parent() != null) {
      o.parent().children().remove(o.id());
    }
    for (String holder : o.holders) {
      KmsSession s = sessions.get(holder);
      if (s != null) {
        s.objects.remove(o.id());
      }
    }
    o.holders.clear();
    Map<String, Map<String, Set<String>>> subs = subscriptions.remove(o.id());
    if (subs != null) {
      subs.values().forEach(bySession -> bySession.values().forEach(ids -> ids.forEach(subscriptionsById::remove)));
    }
    objects.remove(o.id());
    o.markDestroyed();
    emit(serverManager, "ObjectDestroyed", JSON.objectNode().put("objectId", o.id()));
  }

  // ---------------------------------------------------------------- sessions and sockets

  /** A session that has touched an object (so {@code connect {sessionId}} finds it). */
  public synchronized boolean isRegistered(String sessionId) {
    return sessions.containsKey(sessionId);
  }

  public synchronized void markActive(String sessionId) {
    KmsSession s = sessions.get(sessionId);
    if (s != null) {
      s.active = true;
    }
  }

  /** The session a socket uses when a request names none, or null. */
  public synchronized String sessionOf(Peer peer) {
    return peerSessions.get(peer);
  }

  /**
   * After a request in {@code sessionId} was handled on {@code peer}: the most recent socket wins
   * the session's events, and the socket's previous session loses its binding (§2).
   */
  public synchronized void bind(String sessionId, Peer peer) {
    String previousOfPeer = peerSessions.put(peer, sessionId);
    if (previousOfPeer != null && !previousOfPeer.equals(sessionId)) {
      bindings.remove(previousOfPeer, peer);
    }
    Peer previousPeer = bindings.put(sessionId, peer);
    if (previousPeer != null && previousPeer != peer) {
      peerSessions.remove(previousPeer, sessionId);
    }
    markActive(sessionId);
  }

  /** {@link #peerClosed} off the caller's thread (a WebSocket I/O thread must not wait for the lock). */
  public void peerClosedLater(Peer peer) {
    if (scheduler.isShutdown()) {
      return;
    }
    later(0, () -> peerClosed(peer));
  }

  /** A socket closed: its session stays, and the GC collects it one to two periods later. */
  public synchronized void peerClosed(Peer peer) {
    String sessionId = peerSessions.remove(peer);
    if (sessionId != null) {
      bindings.remove(sessionId, peer);
      markActive(sessionId);
    }
  }

  private void collectGarbage() {
    try {
      collectGarbageOnce();
    } catch (RuntimeException e) {
      log.warn("garbage collector pass failed", e);
    }
  }

  private void collectGarbageOnce() {
    synchronized (this) {
      for (KmsSession s : new ArrayList<>(sessions.values())) {
        Peer peer = bindings.get(s.id);
        if (peer != null && peer.isOpen()) {
          continue;
        }
        if (s.active) {
          s.active = false;
        } else {
          log.debug("gc collects session {} holding {} objects", s.id, s.objects.size());
          closeSession(s.id, false);
        }
      }
    }
  }

  // ---------------------------------------------------------------- events

  public synchronized String subscribe(String sessionId, MediaObject o, String type) {
    if (!o.supportsEvent(type)) {
      throw KmsException.eventNotSupported(type);
    }
    attach(sessionId, o);
    String subscriptionId = UUID.randomUUID().toString();
    subscriptions
        .computeIfAbsent(o.id(), k -> new HashMap<>())
        .computeIfAbsent(type, k -> new LinkedHashMap<>())
        .computeIfAbsent(sessionId, k -> new LinkedHashSet<>())
        .add(subscriptionId);
    subscriptionsById.put(subscriptionId, new Subscription(sessionId, o.id(), type));
    return subscriptionId;
  }

  /** The sessions subscribed to an object's events of one type (for tests and diagnostics). */
  public synchronized Set<String> subscribedSessions(String objectId, String type) {
    Map<String, Map<String, Set<String>>> byType = subscriptions.get(objectId);
    Map<String, Set<String>> bySession = byType == null ? null : byType.get(type);
    return bySession == null ? Set.of() : Set.copyOf(bySession.keySet());
  }

  /** Unknown subscription ids succeed, as on KMS. */
  public synchronized void unsubscribe(String subscriptionId) {
    Subscription s = subscriptionsById.remove(subscriptionId);
    if (s == null) {
      return;
    }
    Map<String, Map<String, Set<String>>> byType = subscriptions.get(s.objectId());
    Map<String, Set<String>> bySession = byType == null ? null : byType.get(s.type());
    Set<String> ids = bySession == null ? null : bySession.get(s.sessionId());
    if (ids != null) {
      ids.remove(subscriptionId);
      if (ids.isEmpty()) {
        bySession.remove(s.sessionId());
      }
    }
  }

  private void removeSubscriptionsOf(String sessionId) {
    subscriptionsById.values().removeIf(s -> s.sessionId().equals(sessionId));
    subscriptions.values().forEach(byType -> byType.values().forEach(bySession -> bySession.remove(sessionId)));
  }

  /**
   * Sends an event to every session subscribed to it on {@code source}, through the socket each
   * session is bound to now; events for a session with no open socket are dropped, as on KMS.
   */
  void emit(MediaObject source, String type, ObjectNode data) {
    Map<String, Map<String, Set<String>>> byType = subscriptions.get(source.id());
    Map<String, Set<String>> bySession = byType == null ? null : byType.get(type);
    if (bySession == null || bySession.isEmpty()) {
      return;
    }
    ObjectNode full = data.deepCopy();
    full.put("source", source.id());
    full.set("tags", source.eventTags());
    full.put("timestampMillis", Long.toString(clock.millis()));
    if (!full.has("type") && !type.equals("ObjectCreated") && !type.equals("ObjectDestroyed")) {
      full.put("type", type);
    }
    ObjectNode envelope = JSON.objectNode().put("jsonrpc", "2.0").put("method", "onEvent");
    envelope.putObject("params").putObject("value").put("object", source.id()).put("type", type).set("data", full);
    String text;
    try {
      text = mapper.writeValueAsString(envelope);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    for (String sessionId : bySession.keySet()) {
      Peer peer = bindings.get(sessionId);
      if (peer != null && peer.isOpen()) {
        peer.send(text);
      }
    }
  }

  // ---------------------------------------------------------------- element connections

  synchronized void link(MediaElement source, MediaElement sink, String mediaType, String sourceDesc, String sinkDesc) {
    // A sink takes one source per media type: connecting another silently replaces the old link.
    for (ElementLink old : List.copyOf(linksBySink.getOrDefault(sink, List.of()))) {
      if (old.mediaType().equals(mediaType) && old.sinkDescription().equals(sinkDesc)) {
        removeLink(old);
      }
    }
    ElementLink link = new ElementLink(source, sink, mediaType, sourceDesc, sinkDesc);
    links.add(link);
    linksBySink.computeIfAbsent(sink, k -> new ArrayList<>()).add(link);
    linksBySource.computeIfAbsent(source, k -> new ArrayList<>()).add(link);
    flowsToCheck.add(sink);
    source.emitLinkEvent("ElementConnected", link);
  }

  synchronized void unlink(MediaElement source, MediaElement sink, String mediaType) {
    List<ElementLink> out = new ArrayList<>(linksBySource.getOrDefault(source, List.of()));
    out.sort(Comparator.comparing(ElementLink::mediaType));
    for (ElementLink link : out) {
      if (link.sink() == sink && (mediaType == null || link.mediaType().equals(mediaType))) {
        removeLink(link);
        flowsToCheck.add(sink);
        source.emitLinkEvent("ElementDisconnected", link);
      }
    }
  }

  private void removeLink(ElementLink link) {
    links.remove(link);
    removeFrom(linksBySink, link.sink(), link);
    removeFrom(linksBySource, link.source(), link);
  }

  private static void removeFrom(Map<MediaElement, List<ElementLink>> index, MediaElement key, ElementLink link) {
    List<ElementLink> list = index.get(key);
    if (list != null) {
      list.remove(link);
      if (list.isEmpty()) {
        index.remove(key);
      }
    }
  }

  /** Whether a source linked to {@code sink} for {@code mediaType} has media flowing out. */
  synchronized boolean sourceFlowing(MediaElement sink, String mediaType) {
    for (ElementLink link : linksBySink.getOrDefault(sink, List.of())) {
      if (link.mediaType().equals(mediaType) && link.source().flowingOut(mediaType)) {
        return true;
      }
    }
    return false;
  }

  /** Whether anything is linked into {@code sink}. */
  synchronized boolean hasSource(MediaElement sink) {
    return linksBySink.containsKey(sink);
  }

  /** The links of one element, as a source ({@code asSource}) or as a sink, ordered as {@link #links()}. */
  synchronized List<ElementLink> linksOf(MediaElement element, boolean asSource) {
    return (asSource ? linksBySource : linksBySink).getOrDefault(element, List.of()).stream()
        .sorted(Comparator.comparing(ElementLink::mediaType)).toList();
  }

  /** Marks an element whose own state changed in a way that may start or stop its media flows. */
  synchronized void flowInputsChanged(MediaElement element) {
    flowsToCheck.add(element);
  }

  /** Every link, ordered by media type (AUDIO, DATA, VIDEO) as KMS lists and releases them. */
  synchronized List<ElementLink> links() {
    return links.stream().sorted(Comparator.comparing(ElementLink::mediaType)).toList();
  }

  /**
   * Re-evaluates which elements have media flowing and emits MediaFlow*StateChanged for changes:
   * the elements marked since the last refresh, and downstream of each one whose state changed,
   * its sinks (an element's flows depend on its own state and its sources' flows only). Each
   * element is re-evaluated at most 16 times per refresh, so a cycle of pass-throughs settles.
   */
  synchronized void refreshFlows() {
    ArrayDeque<MediaElement> queue = new ArrayDeque<>(flowsToCheck);
    flowsToCheck.clear();
    Map<MediaElement, Integer> visits = new IdentityHashMap<>();
    while (!queue.isEmpty()) {
      MediaElement e = queue.poll();
      if (!e.alive() || visits.merge(e, 1, Integer::sum) > 16) {
        continue;
      }
      if (e.refreshFlow()) {
        for (ElementLink link : linksBySource.getOrDefault(e, List.of())) {
          queue.add(link.sink());
        }
      }
    }
  }

  // ---------------------------------------------------------------- ServerManager figures

  synchronized List<String> pipelineIds() {
    return objects.values().stream().filter(o -> o instanceof MediaPipeline).map(MediaObject::id).sorted().toList();
  }

  /** The getPipelines quirk: every live object becomes held by the hidden "" session. */
  synchronized void attachEverythingToHiddenSession() {
    KmsSession hidden = register(HIDDEN_SESSION);
    hidden.active = true;
    for (MediaObject o : objects.values()) {
      if (o != serverManager) {
        attachOne(HIDDEN_SESSION, o);
      }
    }
  }

  synchronized List<String> sessionIds() {
    return new ArrayList<>(new TreeSet<>(sessions.keySet()));
  }

  public synchronized double usedCpu() {
    if (cpuOverride != null) {
      return cpuOverride;
    }
    double cpu = config.idleCpu();
    for (MediaObject o : objects.values()) {
      cpu += o.cpuCost();
    }
    return Math.min(cpu, config.cpuCount() * 100.0);
  }

  public synchronized long usedMemoryKib() {
    long kib = BASE_MEMORY_KIB;
    for (MediaObject o : objects.values()) {
      kib += o.memoryCost();
    }
    return kib;
  }

  /** Forces what getUsedCpu reports (null returns to the load model), for placement tests. */
  public synchronized void overrideCpu(Double percent) {
    this.cpuOverride = percent;
  }

  // ---------------------------------------------------------------- inspection (admin API, tests)

  public synchronized int mediaObjectCount() {
    return objects.size() - 1;
  }

  public synchronized long count(String type) {
    return objects.values().stream().filter(o -> o.type().equals(type)).count();
  }

  /** Registered sessions and how many objects each holds ("" is getPipelines' hidden session). */
  public synchronized Map<String, Integer> sessionObjectCounts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    sessions.values().forEach(s -> counts.put(s.id, s.objects.size()));
    return counts;
  }

  public synchronized int sessionCount() {
    return sessions.size();
  }

  public synchronized boolean exists(String id) {
    return objects.containsKey(id);
  }

  public synchronized <T> T locked(Supplier<T> action) {
    return action.get();
  }

  // ---------------------------------------------------------------- factories

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @FunctionalInterface
  private interface Maker {
    MediaObject create(MediaServer server, String id, MediaPipeline pipeline, Params ctor);
  }

  private record Factory(boolean needsPipeline, Maker make) {}

  private static final Map<String, Factory> FACTORIES = Map.of(
      "MediaPipeline", new Factory(false, (s, id, p, c) -> new MediaPipeline(s, id)),
      "WebRtcEndpoint", new Factory(true, WebRtcEndpoint::new),
      "RecorderEndpoint", new Factory(true, RecorderEndpoint::new),
      "PlayerEndpoint", new Factory(true, PlayerEndpoint::new),
      "PassThrough", new Factory(true, (s, id, p, c) -> new PassThrough(s, id, p)));

  /** Factories this emulator implements, for getInfo. */
  static Collection<String> factories() {
    return FACTORIES.keySet();
  }
}
