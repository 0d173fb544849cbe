package io.switchboard.kms.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Wire-level behaviour kurento-client hides: paths, session binding, event order, GC quirks. */
class RawProtocolIT {

  private KmsEmulator kms;

  @AfterEach
  void stop() {
    if (kms != null) {
      kms.close();
    }
  }

  private KmsEmulator start(EmulatorConfig config) {
    kms = KmsEmulator.start(config);
    return kms;
  }

  @Test
  void anyOtherPathIsClosedWithInvalidPath() {
    start(EmulatorConfig.defaults());
    String base = kms.url().replace("/kurento", "");
    for (String path : List.of("/", "/foo", "/kurento/", "/Kurento")) {
      try (RawKmsClient client = RawKmsClient.connect(base + path)) {
        assertThat(client.closed()).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1002);
      }
    }
    try (RawKmsClient client = RawKmsClient.connect(kms.url() + "?x=1")) {
      assertThat(client.call("ping", null).path("result").path("value").asText()).isEqualTo("pong");
    }
  }

  @Test
  void eventsFollowTheSocketThatUsedTheSessionLast() {
    start(EmulatorConfig.defaults());
    try (RawKmsClient a = RawKmsClient.connect(kms.url()); RawKmsClient b = RawKmsClient.connect(kms.url(), 100)) {
      JsonNode created = a.call("create", params().put("type", "MediaPipeline").set("constructorParams", params()));
      String session = created.path("result").path("sessionId").asText();
      String pipeline = created.path("result").path("value").asText();
      a.call("subscribe", params().put("object", "manager_ServerManager").put("type", "ObjectCreated"));

      // b takes the session over, as a reconnecting client does (with fresh request ids: a reused
      // (session, id) would be answered from KMS's request cache and not run at all).
      JsonNode connect = b.call("connect", params().put("sessionId", session));
      assertThat(connect.path("result").path("sessionId").asText()).isEqualTo(session);
      b.call("create", params().put("type", "PassThrough").put("sessionId", session)
          .set("constructorParams", params().put("mediaPipeline", pipeline)));

      await().atMost(Duration.ofSeconds(5)).until(() -> b.events().size() == 1);
      assertThat(a.events()).isEmpty();
      assertThat(b.events().get(0).path("type").asText()).isEqualTo("ObjectCreated");
      assertThat(b.events().get(0).path("data").has("type")).isFalse();
    }
  }

  @Test
  void recorderEventsLeaveInKmsOrder() {
    start(EmulatorConfig.defaults());
    try (RawKmsClient c = RawKmsClient.connect(kms.url())) {
      String pipeline = value(c.call("create", params().put("type", "MediaPipeline").set("constructorParams", params())));
      String recorder = value(c.call("create", params().put("type", "RecorderEndpoint")
          .set("constructorParams", params().put("mediaPipeline", pipeline).put("uri", "file:///tmp/r.webm"))));
      for (String type : List.of("UriEndpointStateChanged", "Recording", "Paused", "Stopped")) {
        c.call("subscribe", params().put("object", recorder).put("type", type));
      }
      for (String op : List.of("record", "pause", "stopAndWait")) {
        c.call("invoke", params().put("object", recorder).put("operation", op));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> c.events().size() == 6);
      assertThat(c.events()).extracting(e -> e.path("type").asText() + " " + e.path("data").path("state").asText(""))
          .containsExactly("UriEndpointStateChanged START", "Recording ", "Paused ", "UriEndpointStateChanged PAUSE",
              "UriEndpointStateChanged STOP", "Stopped ");
      assertThat(c.events().get(0).path("data").path("timestampMillis").isTextual()).isTrue();
    }
  }

  @Test
  void releaseDestroysChildrenFirstThenThePipeline() {
    start(EmulatorConfig.defaults());
    try (RawKmsClient c = RawKmsClient.connect(kms.url())) {
      c.call("subscribe", params().put("object", "manager_ServerManager").put("type", "ObjectDestroyed"));
      String pipeline = value(c.call("create", params().put("type", "MediaPipeline").set("constructorParams", params())));
      String a = value(c.call("create", params().put("type", "WebRtcEndpoint")
          .set("constructorParams", params().put("mediaPipeline", pipeline))));
      String b = value(c.call("create", params().put("type", "PassThrough")
          .set("constructorParams", params().put("mediaPipeline", pipeline))));
      c.call("invoke", params().put("object", a).put("operation", "connect").set("operationParams", params().put("sink", b)));

      c.call("release", params().put("object", pipeline));

      await().atMost(Duration.ofSeconds(5)).until(() -> c.events().stream()
          .filter(e -> e.path("type").asText().equals("ObjectDestroyed")).count() == 3);
      List<String> destroyed = c.events().stream().filter(e -> e.path("type").asText().equals("ObjectDestroyed"))
          .map(e -> e.path("data").path("objectId").asText()).toList();
      assertThat(destroyed.subList(0, 2)).containsExactlyInAnyOrder(a, b);
      assertThat(destroyed.get(2)).isEqualTo(pipeline);
      assertThat(c.call("invoke", params().put("object", a).put("operation", "getName")).path("error").path("code").asInt())
          .isEqualTo(40101);
    }
  }

  @Test
  void gatheringBeforeTheOfferDoesNothingAndNeverStartsLater() throws Exception {
    start(EmulatorConfig.defaults());
    try (RawKmsClient c = RawKmsClient.connect(kms.url())) {
      String pipeline = value(c.call("create", params().put("type", "MediaPipeline").set("constructorParams", params())));
      String endpoint = value(c.call("create", params().put("type", "WebRtcEndpoint")
          .set("constructorParams", params().put("mediaPipeline", pipeline))));
      c.call("subscribe", params().put("object", endpoint).put("type", "IceCandidateFound"));
      c.call("invoke", params().put("object", endpoint).put("operation", "gatherCandidates"));
      c.call("invoke", params().put("object", endpoint).put("operation", "processOffer")
          .set("operationParams", params().put("offer", Fixtures.sdp("05-audio-only-sendrecv.offer.chromium.sdp"))));
      Thread.sleep(300);
      assertThat(c.events()).isEmpty();

      c.call("invoke", params().put("object", endpoint).put("operation", "gatherCandidates"));
      await().atMost(Duration.ofSeconds(5)).until(() -> c.events().size() == 6);
    }
  }

  @Test
  void getPipelinesPinsAbandonedObjectsUntilItsHiddenSessionIsCollected() throws Exception {
    // Periods and polls far apart enough that a stalled machine cannot make a poll late.
    start(EmulatorConfig.defaults().withGcPeriod(Duration.ofMillis(1500)));
    String pipeline;
    try (RawKmsClient gone = RawKmsClient.connect(kms.url())) {
      pipeline = value(gone.call("create", params().put("type", "MediaPipeline").set("constructorParams", params())));
      gone.abort();
    }
    try (RawKmsClient monitor = RawKmsClient.connect(kms.url())) {
      // Polling getPipelines more often than the GC period keeps the abandoned pipeline alive...
      for (int i = 0; i < 12; i++) { // 3.6 s: past the two periods that collect what nothing pins
        monitor.call("invoke", params().put("object", "manager_ServerManager").put("operation", "getPipelines"));
        Thread.sleep(300);
      }
      assertThat(kms.server().exists(pipeline)).isTrue();
      // ...and once polling stops, the hidden "" session and then the pipeline go.
      await().atMost(Duration.ofSeconds(15)).until(() -> !kms.server().exists(pipeline));
    }
  }

  @Test
  void requestCacheCanBeTurnedOff() {
    start(EmulatorConfig.defaults().withRequestCacheTtl(Duration.ZERO));
    try (RawKmsClient c = RawKmsClient.connect(kms.url())) {
      String pipeline = value(c.call("create", params().put("type", "MediaPipeline").set("constructorParams", params())));
      String getName = "{\"jsonrpc\":\"2.0\",\"id\":\"same\",\"method\":\"invoke\",\"params\":{\"object\":\"" + pipeline
          + "\",\"operation\":\"getName\"}}";
      assertThat(c.sendAndReceive(getName).path("result").path("value").asText()).isEqualTo(pipeline);
      c.call("invoke", params().put("object", pipeline).put("operation", "setName")
          .set("operationParams", params().put("name", "room-1")));
      assertThat(c.sendAndReceive(getName).path("result").path("value").asText()).isEqualTo("room-1");
    }
  }

  @Test
  void describeNamesTheClassAndItsAncestors() {
    start(EmulatorConfig.defaults());
    try (RawKmsClient c = RawKmsClient.connect(kms.url())) {
      String pipeline = value(c.call("create", params().put("type", "MediaPipeline").set("constructorParams", params())));
      String endpoint = value(c.call("create", params().put("type", "WebRtcEndpoint")
          .set("constructorParams", params().put("mediaPipeline", pipeline))));
      JsonNode described = c.call("describe", params().put("object", endpoint)).path("result");
      assertThat(described.path("type").asText()).isEqualTo("WebRtcEndpoint");
      assertThat(described.path("qualifiedType").asText()).isEqualTo("kurento.WebRtcEndpoint");
      assertThat(described.path("hierarchy").toString()).isEqualTo("[\"kurento.BaseRtpEndpoint\",\"kurento.SdpEndpoint\","
          + "\"kurento.SessionEndpoint\",\"kurento.Endpoint\",\"kurento.MediaElement\",\"kurento.MediaObject\"]");
    }
  }

  private static ObjectNode params() {
    return RawKmsClient.params();
  }

  private static String value(JsonNode response) {
    assertThat(response.has("error")).as("%s", response).isFalse();
    return response.path("result").path("value").asText();
  }
}
