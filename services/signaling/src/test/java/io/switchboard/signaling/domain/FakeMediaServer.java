package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.IceCandidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * KMS nodes in memory, seen by one pod as its {@link MediaServer}; thread-safe.
 *
 * <p>Objects live on a node (its {@code kmsUrl}) under ids that are unique and predictable:
 * {@code pipeline-1}, {@code pipeline-1/webrtc-2}, {@code pipeline-1/recorder-3}. Releasing a
 * pipeline releases its endpoints and recorders. A request about an object that does not exist
 * (or is of another kind) is refused ({@link MediaException#refused()} true); any request to a node
 * made {@link #makeUnreachable unreachable} fails with {@code refused()} false.
 *
 * <p>Listeners are this pod's, as in {@code KurentoMediaServer}: {@link #anotherPod()} gives a
 * second pod's view of the same nodes, with listeners of its own, and {@link #emitCandidate}
 * hands a candidate to every pod listening to the endpoint. Callbacks (candidates, recording
 * failures) run on the thread of the test that triggers them, outside any lock.
 */
public final class FakeMediaServer implements MediaServer {

  /** An offer KMS refuses (as it does bad SDP). */
  public static final String REFUSED_OFFER = "bad";

  public enum Kind { PIPELINE, WEBRTC_ENDPOINT, RECORDER }

  /** One {@link #connect} call: media flows from {@code source} into {@code sink} on {@code kmsUrl}. */
  public record Connection(String kmsUrl, String source, String sink) {}

  /** The answer {@link #processOffer} gives to {@code offer} on {@code endpointId}. */
  public static String answerTo(String endpointId, String offer) {
    return "answer from " + endpointId + " to " + offer;
  }

  /** One object on a node. */
  private static final class MediaObject {
    final Kind kind;
    final String parent;
    final List<String> children = new ArrayList<>();
    String uri;
    boolean recording;
    Consumer<String> recordingFailed;
    String offer;
    boolean gathering;
    final List<IceCandidate> remoteCandidates = new ArrayList<>();

    MediaObject(Kind kind, String parent) {
      this.kind = kind;
      this.parent = parent;
    }
  }

  /** The nodes, shared by every pod's view; its monitor guards them and every view's listeners. */
  private static final class Nodes {
    final Map<String, Map<String, MediaObject>> objects = new HashMap<>();
    final Set<String> unreachable = new HashSet<>();
    final List<Connection> connects = new ArrayList<>();
    final List<FakeMediaServer> views = new CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicReference<Runnable> beforeCreateEndpoint =
        new java.util.concurrent.atomic.AtomicReference<>();
    long lastId;

    Map<String, MediaObject> on(String kmsUrl) {
      return objects.computeIfAbsent(kmsUrl, u -> new LinkedHashMap<>());
    }
  }

  /** An opaque listener handle: compared by identity. */
  private static final class Subscription {
    final Consumer<IceCandidate> candidates;

    Subscription(Consumer<IceCandidate> candidates) {
      this.candidates = candidates;
    }
  }

  private final Nodes nodes;
  /** This pod's listener per endpoint ({@code kmsUrl + " " + endpointId}); guarded by {@link #nodes}. */
  private final Map<String, Subscription> listeners = new HashMap<>();
  private final List<String> disconnects = new CopyOnWriteArrayList<>();
  private final List<String> opened = new CopyOnWriteArrayList<>();

  /** Fresh nodes with nothing on them, seen by one pod. */
  public FakeMediaServer() {
    this(new Nodes());
  }

  private FakeMediaServer(Nodes nodes) {
    this.nodes = nodes;
    nodes.views.add(this);
  }

  /** Another pod's view of the same nodes: same objects, its own listeners. */
  public FakeMediaServer anotherPod() {
    return new FakeMediaServer(nodes);
  }

  // ---------------------------------------------------------------- MediaServer

  @Override
  public void open(String kmsUrl) {
    synchronized (nodes) {
      reachable(kmsUrl);
      opened.add(kmsUrl);
    }
  }

  @Override
  public String createPipeline(String kmsUrl) {
    synchronized (nodes) {
      reachable(kmsUrl);
      String id = "pipeline-" + ++nodes.lastId;
      nodes.on(kmsUrl).put(id, new MediaObject(Kind.PIPELINE, null));
      return id;
    }
  }

  @Override
  public String createEndpoint(String kmsUrl, String pipelineId, Consumer<IceCandidate> candidates) {
    Runnable hook = nodes.beforeCreateEndpoint.getAndSet(null);
    if (hook != null) {
      hook.run(); // as a slow KMS: whatever else happens meanwhile
    }
    synchronized (nodes) {
      String id = createChild(kmsUrl, pipelineId, Kind.WEBRTC_ENDPOINT, "webrtc");
      if (candidates != null) {
        listeners.put(key(kmsUrl, id), new Subscription(candidates));
      }
      return id;
    }
  }

  @Override
  public void listen(String kmsUrl, String endpointId, Consumer<IceCandidate> candidates) {
    synchronized (nodes) {
      object(kmsUrl, endpointId, Kind.WEBRTC_ENDPOINT);
      listeners.put(key(kmsUrl, endpointId), new Subscription(candidates));
    }
  }

  @Override
  public Object listener(String kmsUrl, String endpointId) {
    synchronized (nodes) {
      return listeners.get(key(kmsUrl, endpointId));
    }
  }

  @Override
  public void unlisten(String kmsUrl, String endpointId, Object listener) {
    synchronized (nodes) {
      if (listener != null) {
        listeners.remove(key(kmsUrl, endpointId), listener);
      }
    }
  }

  @Override
  public void forget(String kmsUrl, String endpointId) {
    synchronized (nodes) {
      listeners.remove(key(kmsUrl, endpointId));
    }
  }

  @Override
  public void disconnect(String kmsUrl) {
    synchronized (nodes) {
      listeners.keySet().removeIf(k -> k.startsWith(kmsUrl + " "));
      disconnects.add(kmsUrl);
    }
  }

  @Override
  public String createRecorder(String kmsUrl, String pipelineId, String uri) {
    synchronized (nodes) {
      String id = createChild(kmsUrl, pipelineId, Kind.RECORDER, "recorder");
      nodes.on(kmsUrl).get(id).uri = uri;
      return id;
    }
  }

  @Override
  public void record(String kmsUrl, String recorderId, Consumer<String> failed) {
    synchronized (nodes) {
      MediaObject recorder = object(kmsUrl, recorderId, Kind.RECORDER);
      recorder.recording = true;
      recorder.recordingFailed = failed;
    }
  }

  @Override
  public void stopRecording(String kmsUrl, String recorderId) {
    synchronized (nodes) {
      object(kmsUrl, recorderId, Kind.RECORDER).recording = false;
      releaseTree(kmsUrl, recorderId);
    }
  }

  /** {@link #answerTo}; refuses {@link #REFUSED_OFFER}. */
  @Override
  public String processOffer(String kmsUrl, String endpointId, String offer) {
    synchronized (nodes) {
      MediaObject endpoint = object(kmsUrl, endpointId, Kind.WEBRTC_ENDPOINT);
      if (REFUSED_OFFER.equals(offer)) {
        throw new MediaException("SDP offer refused by " + endpointId, true, null);
      }
      endpoint.offer = offer;
      return answerTo(endpointId, offer);
    }
  }

  @Override
  public void gatherCandidates(String kmsUrl, String endpointId) {
    synchronized (nodes) {
      object(kmsUrl, endpointId, Kind.WEBRTC_ENDPOINT).gathering = true;
    }
  }

  @Override
  public void addIceCandidate(String kmsUrl, String endpointId, IceCandidate candidate) {
    synchronized (nodes) {
      object(kmsUrl, endpointId, Kind.WEBRTC_ENDPOINT).remoteCandidates.add(candidate);
    }
  }

  @Override
  public void connect(String kmsUrl, String sourceId, String sinkId) {
    synchronized (nodes) {
      element(kmsUrl, sourceId);
      element(kmsUrl, sinkId);
      nodes.connects.add(new Connection(kmsUrl, sourceId, sinkId));
    }
  }

  @Override
  public void release(String kmsUrl, String objectId) {
    synchronized (nodes) {
      listeners.remove(key(kmsUrl, objectId)); // as KurentoMediaServer: before asking KMS
      object(kmsUrl, objectId, null);
      releaseTree(kmsUrl, objectId);
    }
  }

  // ---------------------------------------------------------------- what tests do to the nodes

  /**
   * Runs {@code hook} on the caller's thread, once, when the next endpoint is about to be created
   * by any pod's view (no lock held).
   */
  public void beforeNextEndpoint(Runnable hook) {
    nodes.beforeCreateEndpoint.set(hook);
  }

  /** Every request to the node fails as unreachable ({@code refused()} false) until {@link #makeReachable}. */
  public void makeUnreachable(String kmsUrl) {
    synchronized (nodes) {
      nodes.unreachable.add(kmsUrl);
    }
  }

  public void makeReachable(String kmsUrl) {
    synchronized (nodes) {
      nodes.unreachable.remove(kmsUrl);
    }
  }

  /** The node dies: everything on it is gone, and it is unreachable. */
  public void loseNode(String kmsUrl) {
    synchronized (nodes) {
      nodes.objects.remove(kmsUrl);
      nodes.unreachable.add(kmsUrl);
    }
  }

  /**
   * KMS found an ICE candidate on an endpoint: every pod listening to it gets it, on this thread.
   * Returns how many listeners got it.
   */
  public int emitCandidate(String kmsUrl, String endpointId, IceCandidate candidate) {
    List<Subscription> reached = new ArrayList<>();
    synchronized (nodes) {
      MediaObject endpoint = nodes.on(kmsUrl).get(endpointId);
      if (endpoint == null || endpoint.kind != Kind.WEBRTC_ENDPOINT) {
        throw new IllegalStateException("no WebRTC endpoint " + endpointId + " on " + kmsUrl);
      }
      for (FakeMediaServer view : nodes.views) {
        Subscription s = view.listeners.get(key(kmsUrl, endpointId));
        if (s != null) {
          reached.add(s);
        }
      }
    }
    reached.forEach(s -> s.candidates.accept(candidate));
    return reached.size();
  }

  /** A recording fails (an unwritable URI, say): its failure callback gets {@code reason}, on this thread. */
  public void failRecording(String kmsUrl, String recorderId, String reason) {
    Consumer<String> failed;
    synchronized (nodes) {
      MediaObject recorder = nodes.on(kmsUrl).get(recorderId);
      if (recorder == null || !recorder.recording || recorder.recordingFailed == null) {
        throw new IllegalStateException("recorder " + recorderId + " on " + kmsUrl + " is not recording");
      }
      failed = recorder.recordingFailed;
    }
    failed.accept(reason);
  }

  // ---------------------------------------------------------------- what tests see

  public boolean exists(String kmsUrl, String objectId) {
    synchronized (nodes) {
      return nodes.on(kmsUrl).containsKey(objectId);
    }
  }

  /** How many objects live on the node. */
  public int liveObjects(String kmsUrl) {
    synchronized (nodes) {
      return nodes.on(kmsUrl).size();
    }
  }

  /** How many objects of a kind live on the node. */
  public int liveObjects(String kmsUrl, Kind kind) {
    synchronized (nodes) {
      return (int) nodes.on(kmsUrl).values().stream().filter(o -> o.kind == kind).count();
    }
  }

  /** The endpoints and recorders of a pipeline, oldest first. */
  public List<String> children(String kmsUrl, String pipelineId) {
    synchronized (nodes) {
      MediaObject pipeline = nodes.on(kmsUrl).get(pipelineId);
      return pipeline == null ? List.of() : List.copyOf(pipeline.children);
    }
  }

  /** Every {@link #connect} that succeeded, by any pod, in order. */
  public List<Connection> connects() {
    synchronized (nodes) {
      return List.copyOf(nodes.connects);
    }
  }

  /** The offer an endpoint answered, or null. */
  public String offer(String kmsUrl, String endpointId) {
    synchronized (nodes) {
      MediaObject endpoint = nodes.on(kmsUrl).get(endpointId);
      return endpoint == null ? null : endpoint.offer;
    }
  }

  /** Whether an endpoint was told to gather candidates. */
  public boolean gathering(String kmsUrl, String endpointId) {
    synchronized (nodes) {
      MediaObject endpoint = nodes.on(kmsUrl).get(endpointId);
      return endpoint != null && endpoint.gathering;
    }
  }

  /** The browser's candidates an endpoint was given, in order. */
  public List<IceCandidate> remoteCandidates(String kmsUrl, String endpointId) {
    synchronized (nodes) {
      MediaObject endpoint = nodes.on(kmsUrl).get(endpointId);
      return endpoint == null ? List.of() : List.copyOf(endpoint.remoteCandidates);
    }
  }

  /** Whether a recorder records now. */
  public boolean recording(String kmsUrl, String recorderId) {
    synchronized (nodes) {
      MediaObject recorder = nodes.on(kmsUrl).get(recorderId);
      return recorder != null && recorder.recording;
    }
  }

  /** Where a recorder writes, or null when there is no such recorder. */
  public String recordingUri(String kmsUrl, String recorderId) {
    synchronized (nodes) {
      MediaObject recorder = nodes.on(kmsUrl).get(recorderId);
      return recorder == null ? null : recorder.uri;
    }
  }

  /** Nodes this pod {@link #open}ed, in order. */
  public List<String> opened() {
    return List.copyOf(opened);
  }

  /** The nodes this pod {@link #disconnect}ed from, in order. */
  public List<String> disconnects() {
    return List.copyOf(disconnects);
  }

  // ---------------------------------------------------------------- inside

  private static String key(String kmsUrl, String objectId) {
    return kmsUrl + " " + objectId;
  }

  private void reachable(String kmsUrl) {
    if (nodes.unreachable.contains(kmsUrl)) {
      throw new MediaException("KMS at " + kmsUrl + " is unreachable", false, null);
    }
  }

  /** The object, if the node is reachable and has it (of {@code kind}, unless null); else throws. */
  private MediaObject object(String kmsUrl, String objectId, Kind kind) {
    reachable(kmsUrl);
    MediaObject o = nodes.on(kmsUrl).get(objectId);
    if (o == null || (kind != null && o.kind != kind)) {
      throw new MediaException("no " + (kind == null ? "object" : kind) + " " + objectId + " on " + kmsUrl, true,
          null);
    }
    return o;
  }

  /** An endpoint or recorder: something media flows through. */
  private MediaObject element(String kmsUrl, String objectId) {
    MediaObject o = object(kmsUrl, objectId, null);
    if (o.kind == Kind.PIPELINE) {
      throw new MediaException(objectId + " is a pipeline, not a media element", true, null);
    }
    return o;
  }

  private String createChild(String kmsUrl, String pipelineId, Kind kind, String prefix) {
    MediaObject pipeline = object(kmsUrl, pipelineId, Kind.PIPELINE);
    String id = pipelineId + "/" + prefix + "-" + ++nodes.lastId;
    nodes.on(kmsUrl).put(id, new MediaObject(kind, pipelineId));
    pipeline.children.add(id);
    return id;
  }

  /**
   * Removes an object and its children. Pods' listener handles on the children stay until they
   * forget them, as in KurentoMediaServer; nothing can be emitted on a gone endpoint anyway.
   */
  private void releaseTree(String kmsUrl, String objectId) {
    Map<String, MediaObject> on = nodes.on(kmsUrl);
    MediaObject o = on.remove(objectId);
    if (o == null) {
      return;
    }
    List.copyOf(o.children).forEach(child -> releaseTree(kmsUrl, child));
    if (o.parent != null && on.containsKey(o.parent)) {
      on.get(o.parent).children.remove(objectId);
    }
  }
}
