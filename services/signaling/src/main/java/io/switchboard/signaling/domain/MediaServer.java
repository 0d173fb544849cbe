package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.IceCandidate;
import java.util.function.Consumer;

/** The media server a room's endpoints live on (KMS, through kurento-client). */
public interface MediaServer {

  String createPipeline(String kmsUrl);

  /** A WebRTC endpoint whose ICE candidates are handed to {@code candidates}. */
  String createEndpoint(String kmsUrl, String pipelineId, Consumer<IceCandidate> candidates);

  /** The SDP answer; throws {@link MediaException} when KMS refuses the offer. */
  String processOffer(String kmsUrl, String endpointId, String offer);

  void gatherCandidates(String kmsUrl, String endpointId);

  void addIceCandidate(String kmsUrl, String endpointId, IceCandidate candidate);

  /** Media flows from {@code source} into {@code sink}. */
  void connect(String kmsUrl, String sourceId, String sinkId);

  /** Releases an object and its children; unknown objects are fine. */
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
