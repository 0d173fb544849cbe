package io.switchboard.kms.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kurento.client.ElementConnectionData;
import org.kurento.client.IceCandidate;
import org.kurento.client.KurentoClient;
import org.kurento.client.MediaFlowState;
import org.kurento.client.MediaPipeline;
import org.kurento.client.MediaType;
import org.kurento.client.RecorderEndpoint;
import org.kurento.client.ServerManager;
import org.kurento.client.UriEndpointState;
import org.kurento.client.WebRtcEndpoint;
import org.kurento.client.internal.server.KurentoServerException;

/** The real kurento-client 7.3.0 driving the emulator, as a signaling server would. */
@org.junit.jupiter.api.extension.ExtendWith(ThreadDumpOnFailure.class)
class KurentoClientContractIT {

  private static final String BROWSER_CANDIDATE =
      "candidate:445512934 1 udp 2122194687 127.0.0.1 53056 typ host generation 0 ufrag 9MKC network-id 1";

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private KmsEmulator emulator(EmulatorConfig config) {
    KmsEmulator emulator = KmsEmulator.start(config);
    resources.add(emulator);
    return emulator;
  }

  private KurentoClient client(KmsEmulator emulator) {
    KurentoClient client = KurentoClient.create(emulator.url());
    resources.add(client::destroy);
    return client;
  }

  @Test
  void groupCallNegotiatesTrickleIceAndFlowsMedia() {
    KmsEmulator kms = emulator(EmulatorConfig.defaults());
    KurentoClient kurento = client(kms);
    MediaPipeline pipeline = kurento.createMediaPipeline();
    WebRtcEndpoint publisher = new WebRtcEndpoint.Builder(pipeline).build();
    WebRtcEndpoint viewer = new WebRtcEndpoint.Builder(pipeline).build();

    List<IceCandidate> candidates = new CopyOnWriteArrayList<>();
    CountDownLatch gathered = new CountDownLatch(1);
    List<String> publisherFlows = new CopyOnWriteArrayList<>();
    List<String> viewerFlows = new CopyOnWriteArrayList<>();
    List<String> connectionStates = new CopyOnWriteArrayList<>();
    publisher.addIceCandidateFoundListener(e -> candidates.add(e.getCandidate()));
    publisher.addIceGatheringDoneListener(e -> gathered.countDown());
    publisher.addMediaFlowOutStateChangedListener(e -> publisherFlows.add(e.getMediaType() + " " + e.getState()));
    publisher.addConnectionStateChangedListener(e -> connectionStates.add(e.getNewState().name()));
    viewer.addMediaFlowInStateChangedListener(e -> viewerFlows.add(e.getMediaType() + " " + e.getState()));
    List<String> connected = new CopyOnWriteArrayList<>();
    publisher.addElementConnectedListener(e -> connected.add(e.getMediaType().name()));

    // Candidates that arrive before the offer are accepted and used later, as on KMS.
    publisher.addIceCandidate(new IceCandidate(BROWSER_CANDIDATE, "0", 0));
    String answer = publisher.processOffer(Fixtures.sdp("01-sendonly-audio-video.offer.chromium.sdp"));
    assertThat(answer).contains("a=recvonly").contains("a=group:BUNDLE 0 1").contains("a=setup:active");
    publisher.gatherCandidates();

    await().atMost(Duration.ofSeconds(5)).until(() -> gathered.getCount() == 0);
    // 3 host candidates (UDP, TCP active, TCP passive) x 2 components x 2 m-lines
    assertThat(candidates).hasSize(12);
    assertThat(candidates).extracting(IceCandidate::getSdpMid).containsOnly("0", "1");
    // Each candidate once per m-line (listeners may see them in any order).
    java.util.Map<String, Long> perCandidate = candidates.stream().collect(
        java.util.stream.Collectors.groupingBy(IceCandidate::getCandidate, java.util.stream.Collectors.counting()));
    assertThat(perCandidate).hasSize(6).allSatisfy((candidate, count) -> assertThat(count).isEqualTo(2L));
    assertThat(perCandidate.keySet()).anyMatch(c -> c.startsWith("candidate:1 1 UDP 2015363327 127.0.0.1 "))
        .anyMatch(c -> c.equals("candidate:2 1 TCP 1015021823 127.0.0.1 9 typ host tcptype active"))
        .anyMatch(c -> c.startsWith("candidate:1 2 UDP 2015363326 127.0.0.1 "));
    await().atMost(Duration.ofSeconds(5)).until(() -> publisherFlows.size() == 2);
    assertThat(publisherFlows).containsExactlyInAnyOrder("AUDIO FLOWING", "VIDEO FLOWING");
    assertThat(connectionStates).containsExactly("CONNECTED");
    assertThat(publisher.getMediaState().name()).isEqualTo("CONNECTED");
    assertThat(publisher.getICECandidatePairs()).hasSize(1);
    assertThat(publisher.getLocalSessionDescriptor()).contains("a=candidate:1 1 UDP");

    publisher.connect(viewer);
    await().atMost(Duration.ofSeconds(5)).until(() -> connected.size() == 3);
    assertThat(connected).containsExactlyInAnyOrder("AUDIO", "VIDEO", "DATA");
    List<ElementConnectionData> sinks = publisher.getSinkConnections();
    assertThat(sinks).hasSize(3).allSatisfy(c -> assertThat(c.getSink().getId()).isEqualTo(viewer.getId()));
    assertThat(viewer.getSourceConnections(MediaType.VIDEO)).hasSize(1);

    viewer.processOffer(Fixtures.sdp("02-recvonly-audio-video.offer.chromium.sdp"));
    viewer.gatherCandidates();
    viewer.addIceCandidate(new IceCandidate(BROWSER_CANDIDATE, "0", 0));
    await().atMost(Duration.ofSeconds(5)).until(() -> viewerFlows.size() == 2);
    assertThat(viewerFlows).containsExactlyInAnyOrder("AUDIO FLOWING", "VIDEO FLOWING");
    assertThat(viewer.isMediaFlowingIn(MediaType.VIDEO)).isTrue();
    assertThat(publisher.isMediaFlowingOut(MediaType.AUDIO)).isTrue();
  }

  @Test
  void negotiationStateMachineFailsAsKmsDoes() {
    KmsEmulator kms = emulator(EmulatorConfig.defaults());
    KurentoClient kurento = client(kms);
    MediaPipeline pipeline = kurento.createMediaPipeline();
    WebRtcEndpoint endpoint = new WebRtcEndpoint.Builder(pipeline).build();
    String offer = Fixtures.sdp("03-sendrecv-audio-video.offer.chromium.sdp");

    assertThatThrownBy(endpoint::getLocalSessionDescriptor).satisfies(e -> assertCode(e, 40202));
    assertThatThrownBy(() -> endpoint.processOffer("hello")).satisfies(e -> assertCode(e, 40201));
    endpoint.processOffer(offer);
    assertThatThrownBy(() -> endpoint.processOffer(offer)).satisfies(e -> assertCode(e, 40208));
    assertThatThrownBy(endpoint::generateOffer).satisfies(e -> assertCode(e, 40208));
    assertThatThrownBy(() -> endpoint.processAnswer(offer)).satisfies(e -> assertCode(e, 40209));

    WebRtcEndpoint offerer = new WebRtcEndpoint.Builder(pipeline).build();
    String kmsOffer = offerer.generateOffer();
    assertThat(kmsOffer).contains("a=group:BUNDLE audio0 video0").contains("RTP/SAVPF");
    String local = offerer.processAnswer(Fixtures.sdp("09-kms-generateOffer-chromium-answer-sendrecv.answer.chromium.sdp"));
    assertThat(local).isEqualTo(kmsOffer);
    assertThatThrownBy(() -> offerer.processAnswer(kmsOffer)).satisfies(e -> assertCode(e, 40210));
  }

  @Test
  void secondClientTakesOverObjectsOfAClientThatVanished() {
    // A period long enough for a second client to start and take the objects over on a busy machine.
    KmsEmulator kms = emulator(EmulatorConfig.defaults().withGcPeriod(Duration.ofSeconds(2)));
    String pipelineId;
    String endpointId;
    try (RawKmsClient crashed = RawKmsClient.connect(kms.url())) {
      pipelineId = crashed.call("create", RawKmsClient.params().put("type", "MediaPipeline")
          .set("constructorParams", RawKmsClient.params())).path("result").path("value").asText();
      endpointId = crashed.call("create", RawKmsClient.params().put("type", "WebRtcEndpoint")
              .set("constructorParams", RawKmsClient.params().put("mediaPipeline", pipelineId)))
          .path("result").path("value").asText();
      crashed.abort();
    }

    KurentoClient other = client(kms);
    WebRtcEndpoint endpoint = other.getById(endpointId, WebRtcEndpoint.class);
    List<String> candidates = new CopyOnWriteArrayList<>();
    endpoint.addIceCandidateFoundListener(e -> candidates.add(e.getCandidate().getCandidate()));
    assertThat(endpoint.getMediaPipeline().getId()).isEqualTo(pipelineId);
    endpoint.processOffer(Fixtures.sdp("03-sendrecv-audio-video.offer.chromium.sdp"));
    endpoint.gatherCandidates();
    await().atMost(Duration.ofSeconds(5)).until(() -> candidates.size() == 12);

    // Several GC periods later the objects are alive: the second session holds them now.
    await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> true);
    assertThat(kms.server().exists(endpointId)).isTrue();
    assertThat(kms.server().exists(pipelineId)).isTrue();
  }

  @Test
  void getByIdFromASecondClientAfterTheFirstClosedWithoutCloseSession() {
    // A period long enough for a second client to start and take the objects over on a busy machine.
    KmsEmulator kms = emulator(EmulatorConfig.defaults().withGcPeriod(Duration.ofSeconds(2)));
    // The first client goes away like a crashed signaling pod: its socket closes, no closeSession.
    org.kurento.jsonrpc.client.JsonRpcClientNettyWebSocket rpc =
        new org.kurento.jsonrpc.client.JsonRpcClientNettyWebSocket(kms.url());
    rpc.setSendCloseMessage(false);
    KurentoClient first = KurentoClient.createFromJsonRpcClient(rpc);
    MediaPipeline pipeline = first.createMediaPipeline();
    WebRtcEndpoint endpoint = new WebRtcEndpoint.Builder(pipeline).build();
    endpoint.addTag("participant", "alice");
    first.destroy();

    KurentoClient second = client(kms);
    WebRtcEndpoint taken = second.getById(endpoint.getId(), WebRtcEndpoint.class);
    assertThat(taken.getTag("participant")).isEqualTo("alice");
    assertThat(taken.getMediaPipeline().getId()).isEqualTo(pipeline.getId());
    await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> true);
    assertThat(kms.server().exists(endpoint.getId())).isTrue();
  }

  @Test
  void objectsOutliveCloseSessionWhenAnotherClientHoldsThem() {
    KmsEmulator kms = emulator(EmulatorConfig.defaults());
    KurentoClient first = KurentoClient.create(kms.url());
    MediaPipeline pipeline = first.createMediaPipeline();
    WebRtcEndpoint mine = new WebRtcEndpoint.Builder(pipeline).build();

    KurentoClient second = client(kms);
    MediaPipeline taken = second.getById(pipeline.getId(), MediaPipeline.class);
    assertThat(taken.getChildren()).extracting(o -> o.getId()).containsExactly(mine.getId());
    first.destroy(); // closeSession: what only the first session held dies, the rest survives

    await().atMost(Duration.ofSeconds(5)).until(() -> !kms.server().exists(mine.getId()));
    assertThat(kms.server().exists(pipeline.getId())).isTrue();
    assertThat(taken.getChildren()).isEmpty();
  }

  @Test
  void releasingAPipelineReleasesItsChildren() {
    KmsEmulator kms = emulator(EmulatorConfig.defaults());
    KurentoClient kurento = client(kms);
    ServerManager manager = kurento.getServerManager();
    List<String> destroyed = new CopyOnWriteArrayList<>();
    manager.addObjectDestroyedListener(e -> destroyed.add(e.getObjectId()));
    MediaPipeline pipeline = kurento.createMediaPipeline();
    WebRtcEndpoint a = new WebRtcEndpoint.Builder(pipeline).build();
    RecorderEndpoint recorder = new RecorderEndpoint.Builder(pipeline, "file:///tmp/x.webm").build();
    a.connect(recorder);

    pipeline.release();

    // (kurento-client hands events to listeners on a pool: the wire order, children first, is
    // checked in RawProtocolIT.)
    await().atMost(Duration.ofSeconds(5)).until(() -> destroyed.size() == 3);
    assertThat(destroyed).containsExactlyInAnyOrder(pipeline.getId(), a.getId(), recorder.getId());
    WebRtcEndpoint stale = kurento.getById(a.getId(), WebRtcEndpoint.class);
    assertThatThrownBy(stale::getName).satisfies(e -> assertCode(e, 40101));
    assertThat(kms.server().mediaObjectCount()).isZero();
  }

  @Test
  void serverManagerFiguresFollowObjects() {
    KmsEmulator kms = emulator(EmulatorConfig.defaults().withCpuModel(8, 1.0, 2.0, 5.0));
    KurentoClient kurento = client(kms);
    ServerManager manager = kurento.getServerManager();
    assertThat(manager.getCpuCount()).isEqualTo(8);
    assertThat(manager.getInfo().getVersion()).startsWith("7.3");
    assertThat(manager.getInfo().getCapabilities()).contains("transactions");
    float idle = manager.getUsedCpu(10);
    long idleMemory = manager.getUsedMemory();
    assertThat(idle).isEqualTo(1.0f);

    MediaPipeline pipeline = kurento.createMediaPipeline();
    new WebRtcEndpoint.Builder(pipeline).build();
    new WebRtcEndpoint.Builder(pipeline).build();

    assertThat(manager.getPipelines()).extracting(p -> p.getId()).containsExactly(pipeline.getId());
    assertThat(manager.getUsedCpu(10)).isEqualTo(1.0f + 2.0f + 2 * 5.0f);
    assertThat(manager.getUsedMemory()).isGreaterThan(idleMemory);
    assertThat(manager.getSessions()).contains(kurento.getSessionId());

    pipeline.release();
    assertThat(manager.getPipelines()).isEmpty();
    assertThat(manager.getUsedCpu(10)).isEqualTo(idle);
  }

  @Test
  void abandonedObjectsAreCollectedAfterOneToTwoGcPeriods() throws Exception {
    KmsEmulator kms = emulator(EmulatorConfig.defaults().withGcPeriod(Duration.ofSeconds(2)));
    KurentoClient monitor = client(kms);
    List<String> destroyed = new CopyOnWriteArrayList<>();
    monitor.getServerManager().addObjectDestroyedListener(e -> destroyed.add(e.getObjectId()));

    String pipelineId;
    try (RawKmsClient crashed = RawKmsClient.connect(kms.url())) {
      pipelineId = crashed.call("create", RawKmsClient.params().put("type", "MediaPipeline")
          .set("constructorParams", RawKmsClient.params())).path("result").path("value").asText();
      crashed.abort();
    }
    // Not at once: the session is kept for at least one period after its socket went away.
    Thread.sleep(200);
    assertThat(kms.server().exists(pipelineId)).isTrue();
    await().atMost(Duration.ofSeconds(15)).until(() -> destroyed.contains(pipelineId));
    assertThat(kms.server().exists(pipelineId)).isFalse();
  }

  @Test
  void createBeyondCapacityFailsLikeAnOverloadedKms() {
    KmsEmulator kms = emulator(EmulatorConfig.defaults().withCapacity(3));
    KurentoClient kurento = client(kms);
    MediaPipeline pipeline = kurento.createMediaPipeline();
    new WebRtcEndpoint.Builder(pipeline).build();
    WebRtcEndpoint second = new WebRtcEndpoint.Builder(pipeline).build();

    assertThatThrownBy(() -> new WebRtcEndpoint.Builder(pipeline).build()).satisfies(e -> {
      assertCode(e, 40009);
      assertThat(e).hasMessageContaining("Reached KMS threads limit: 3");
    });
    second.release();
    assertThat(new WebRtcEndpoint.Builder(pipeline).build().getId()).isNotBlank();
  }

  @Test
  void recorderGoesThroughItsStates() {
    KmsEmulator kms = emulator(EmulatorConfig.defaults());
    KurentoClient kurento = client(kms);
    MediaPipeline pipeline = kurento.createMediaPipeline();
    RecorderEndpoint recorder = new RecorderEndpoint.Builder(pipeline, "file:///tmp/rec.webm").build();
    List<String> events = new CopyOnWriteArrayList<>();
    recorder.addRecordingListener(e -> events.add("Recording"));
    recorder.addPausedListener(e -> events.add("Paused"));
    recorder.addStoppedListener(e -> events.add("Stopped"));
    recorder.addUriEndpointStateChangedListener(e -> events.add("State " + e.getState()));

    assertThat(recorder.getState()).isEqualTo(UriEndpointState.STOP);
    recorder.record();
    await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
    assertThat(recorder.getState()).isEqualTo(UriEndpointState.START);
    recorder.pause();
    recorder.stopAndWait();
    // stopAndWait answers after STOP and Stopped were sent. kurento-client hands events of
    // different types to listeners on a pool, so only the wire (RawProtocolIT) keeps their order.
    await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 6);
    assertThat(events).containsExactlyInAnyOrder(
        "State START", "Recording", "Paused", "State PAUSE", "State STOP", "Stopped");
    assertThat(recorder.getUri()).isEqualTo("file:///tmp/rec.webm");
  }

  @Test
  void droppedConnectionReconnectsToTheSameSession() throws Exception {
    KmsEmulator kms = emulator(EmulatorConfig.defaults());
    CountDownLatch reconnected = new CountDownLatch(1);
    List<Boolean> sameServer = new CopyOnWriteArrayList<>();
    KurentoClient kurento = KurentoClient.create(kms.url(), new ConnectionEvents() {
      @Override
      public void reconnected(boolean same) {
        sameServer.add(same);
        reconnected.countDown();
      }
    });
    resources.add(kurento::destroy);
    MediaPipeline pipeline = kurento.createMediaPipeline();
    String session = kurento.getSessionId();

    kms.dropConnections();

    assertThat(reconnected.await(15, TimeUnit.SECONDS)).isTrue();
    assertThat(sameServer).containsExactly(true);
    assertThat(kurento.getSessionId()).isEqualTo(session);
    assertThat(pipeline.getChildren()).isEmpty();
  }

  @Test
  void hungServerTimesRequestsOutAndRecovers() throws Exception {
    KmsEmulator kms = emulator(EmulatorConfig.defaults());
    org.kurento.jsonrpc.client.JsonRpcClientNettyWebSocket rpc =
        new org.kurento.jsonrpc.client.JsonRpcClientNettyWebSocket(kms.url());
    // Generous while connecting (a busy machine's first request can take a while); short only
    // for the request the hung server never answers.
    rpc.setRequestTimeout(30_000);
    KurentoClient kurento = KurentoClient.createFromJsonRpcClientHonoringClientTimeouts(rpc);
    resources.add(kurento::destroy);
    ServerManager manager = kurento.getServerManager();
    assertThat(manager.getCpuCount()).isEqualTo(4);

    kms.faults().hang(true);
    rpc.setRequestTimeout(700);
    long started = System.nanoTime();
    assertThatThrownBy(manager::getCpuCount).hasMessageContaining("imeout");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(25));

    kms.faults().clear();
    rpc.setRequestTimeout(30_000);
    assertThat(kurento.getServerManager().getCpuCount()).isEqualTo(4);
  }

  @Test
  void addedLatencyDelaysEveryAnswer() {
    KmsEmulator kms = emulator(EmulatorConfig.defaults());
    KurentoClient kurento = client(kms);
    ServerManager manager = kurento.getServerManager();
    manager.getCpuCount();

    kms.faults().latency(Duration.ofMillis(400));
    long started = System.nanoTime();
    manager.getCpuCount();
    long tookMillis = (System.nanoTime() - started) / 1_000_000;

    assertThat(tookMillis).isGreaterThanOrEqualTo(400);
  }

  @Test
  void killedServerIsSeenAsGone() throws Exception {
    KmsEmulator kms = emulator(EmulatorConfig.defaults());
    CountDownLatch disconnected = new CountDownLatch(1);
    KurentoClient kurento = KurentoClient.create(kms.url(), new ConnectionEvents() {
      @Override
      public void disconnected() {
        disconnected.countDown();
      }
    });
    resources.add(kurento::destroy);
    kurento.getServerManager().getCpuCount();

    kms.kill();

    assertThat(disconnected.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kms.running()).isFalse();
    assertThatThrownBy(() -> kurento.getServerManager().getCpuCount()).isInstanceOf(RuntimeException.class);
  }

  @Test
  void getUsedCpuHoldsUpTheSocketForItsInterval() {
    KmsEmulator kms = emulator(EmulatorConfig.defaults());
    try (RawKmsClient raw = RawKmsClient.connect(kms.url())) {
      long started = System.nanoTime();
      JsonNode cpu = raw.call("invoke", RawKmsClient.params().put("object", "manager_ServerManager")
          .put("operation", "getUsedCpu").set("operationParams", RawKmsClient.params().put("interval", 300)));
      assertThat(cpu.path("result").path("value").isNumber()).isTrue();
      assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(300);
    }
  }

  static void assertCode(Throwable e, int code) {
    assertThat(e).isInstanceOf(KurentoServerException.class);
    assertThat(((KurentoServerException) e).getCode()).isEqualTo(code);
  }

  /** A listener whose methods do nothing unless overridden. */
  abstract static class ConnectionEvents implements org.kurento.client.KurentoConnectionListener {
    @Override
    public void connected() {}

    @Override
    public void connectionFailed() {}

    @Override
    public void disconnected() {}

    @Override
    public void reconnected(boolean sameServer) {}
  }
}
