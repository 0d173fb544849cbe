package io.switchboard.kms.emulator.model;

import java.util.List;

/** Forwards what it receives: media flows out for each type that flows in. */
final class PassThrough extends MediaElement {

  PassThrough(MediaServer server, String id, MediaPipeline pipeline) {
    super(server, id, "PassThrough", pipeline);
  }

  @Override
  protected List<String> hierarchy() {
    return List.of("kurento.MediaElement", "kurento.MediaObject");
  }

  @Override
  protected boolean wantsFlowOut(String mediaType) {
    return wantsFlowIn(mediaType);
  }

  @Override
  protected boolean wantsFlowIn(String mediaType) {
    return sourceFlowing(mediaType);
  }
}
