package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.IceCandidate;
import java.util.List;
import java.util.function.Consumer;

/**
 * The media server a room's endpoints live on (KMS, through kurento-client). KMS sends an
 * object's events only to the sessions that subscribed to them, so a pod that takes over a
 * participant {@link #listen}s to its endpoints itself.
 */
public interface MediaServer {

  /**
   * Connects to a node ahead of its first request (every session this pod keeps to it), so that
   * the first burst of joins does not pay for it. Throws {@link MediaException} when unreachable.
   */
  void open(String kmsUrl);

  String createPipeline(String kmsUrl);

  /**
   * A WebRTC endpoint whose ICE candidates are handed to {@code candidates}; with null, nobody
   * here listens (the pod serving its participant will).
   */
  String createEndpoint(String kmsUrl, String pipelineId, Consumer<IceCandidate> candidates);

  /**
   * Hands an existing endpoint's ICE candidates to {@code candidates} from now on, in place of
   * any listener this pod had on it. Throws {@link MediaException} when the endpoint is gone.
   */
  void listen(String kmsUrl, String endpointId, Consumer<IceCandidate> candidates);

  /** This pod's current listener on an endpoint (an opaque handle), or null. */
  Object listener(String kmsUrl, String endpointId);

  /**
   * Stops this pod's listener {@code listener} on an endpoint (which may be gone), unless another
   * has replaced it meanwhile; never throws.
   */
  void unlisten(String kmsUrl, String endpointId, Object listener);

  /** Forgets this pod's listener on an endpoint that is gone with its node, without asking KMS. */
  void forget(String kmsUrl, String endpointId);

  /**
   * Drops this pod's connection to a KMS node that is gone, without closing its session (KMS
   * collects the session's objects itself); a later request connects afresh.
   */
  void disconnect(String kmsUrl);

  /** A RecorderEndpoint on the pipeline writing WebM to {@code uri}. */
  String createRecorder(String kmsUrl, String pipelineId, String uri);

  /** Starts a recorder recording; {@code failed} is told KMS's reason if it fails later (an unwritable URI, say). */
  void record(String kmsUrl, String recorderId, Consumer<String> failed);

  /** Stops a recorder, waiting until its file is complete, and releases it. */
  void stopRecording(String kmsUrl, String recorderId);

  /** The SDP answer; throws {@link MediaException} when KMS refuses the offer. */
  String processOffer(String kmsUrl, String endpointId, String offer);

  /**
   * Everything an endpoint needs before its answer, in one go: media from {@code sourceId} (when
   * not null) connected into it, the browser's {@code candidates} that came early added, and
   * {@code offer} processed. KMS takes these in any order (reference §9: candidates are accepted
   * before the offer; a connection does not depend on SDP), so they may all be in flight at once.
   * Returns the SDP answer once every step is done; throws {@link MediaException}, {@code refused()}
   * only when KMS refused the offer itself (any other step failing is reported as not refused).
   */
  default String negotiate(String kmsUrl, String endpointId, String sourceId, List<IceCandidate> candidates,
      String offer) {
    try {
      if (sourceId != null) {
        connect(kmsUrl, sourceId, endpointId);
      }
      for (IceCandidate c : candidates) {
        addIceCandidate(kmsUrl, endpointId, c);
      }
    } catch (MediaException e) {
      throw new MediaException(e.getMessage(), false, e);
    }
    return processOffer(kmsUrl, endpointId, offer);
  }

  /**
   * Starts KMS gathering an endpoint's candidates (after its offer is answered). May return before
   * KMS has answered: a failure then is logged and counted, not thrown.
   */
  void gatherCandidates(String kmsUrl, String endpointId);

  /**
   * Hands KMS one of the browser's candidates. May return before KMS has answered (KMS accepts any
   * candidate text, reference §9): a failure then is logged and counted, not thrown.
   */
  void addIceCandidate(String kmsUrl, String endpointId, IceCandidate candidate);

  /** Media flows from {@code source} into {@code sink}. */
  void connect(String kmsUrl, String sourceId, String sinkId);

  /** Releases an object and its children; throws when KMS refuses (an unknown object, say). */
  void release(String kmsUrl, String objectId);

  /** KMS refused a request, or could not be reached. */
  final class MediaException extends RuntimeException {
    private final boolean refused;

    public MediaException(String message, boolean refused, Throwable cause) {
      super(message, cause);
      this.refused = refused;
    }

    /** True when KMS answered with an error (bad SDP, say); false when it was unreachable. */
    public boolean refused() {
      return refused;
    }
  }
}
