package io.switchboard.placement.media.kurento;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What a node holds, from KMS's ObjectCreated/ObjectDestroyed events as kurento-client hands them
 * over: on a pool, so not always in the order KMS sent them.
 */
class KmsProbeConnectionTest {

  static final String PIPELINE = "p1_kurento.MediaPipeline";
  static final String ENDPOINT = PIPELINE + "/e1_kurento.WebRtcEndpoint";
  static final String OTHER = PIPELINE + "/e2_kurento.WebRtcEndpoint";

  KurentoKmsProbe.Connection connected() {
    KurentoKmsProbe.Connection c = new KurentoKmsProbe.Connection();
    c.baselineDone();
    return c;
  }

  @Test
  void createdAndDestroyedInOrderLeaveNothing() {
    KurentoKmsProbe.Connection c = connected();
    c.track(PIPELINE, true);
    c.track(ENDPOINT, true);
    assertThat(c.pipelines).containsExactly(PIPELINE);
    assertThat(c.endpoints).containsExactly(ENDPOINT);

    c.track(ENDPOINT, false);
    c.track(PIPELINE, false);
    assertThat(c.pipelines).isEmpty();
    assertThat(c.endpoints).isEmpty();
  }

  @Test
  void aDestructionHandledBeforeItsCreationLeavesNothing() {
    KurentoKmsProbe.Connection c = connected();
    c.track(ENDPOINT, false); // the pool ran the later event first
    c.track(ENDPOINT, true);
    c.track(PIPELINE, false);
    c.track(PIPELINE, true);

    assertThat(c.pipelines).isEmpty();
    assertThat(c.endpoints).isEmpty();
  }

  @Test
  void anEndpointWhoseCreationComesAfterItsPipelinesDestructionIsNotCounted() {
    KurentoKmsProbe.Connection c = connected();
    c.track(PIPELINE, true);
    c.track(ENDPOINT, true);
    c.track(PIPELINE, false); // released with its endpoints; one endpoint's creation comes late
    c.track(OTHER, true);

    assertThat(c.pipelines).isEmpty();
    assertThat(c.endpoints).isEmpty();
  }
}
