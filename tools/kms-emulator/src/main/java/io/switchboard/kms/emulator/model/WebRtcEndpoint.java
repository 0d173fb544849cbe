package io.switchboard.kms.emulator.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.kms.emulator.rpc.KmsException;
import io.switchboard.kms.emulator.sdp.KmsSdp;
import io.switchboard.kms.emulator.sdp.SdpIdentity;
import io.switchboard.kms.emulator.sdp.SessionDescription;
import io.switchboard.kms.emulator.sdp.SessionDescription.MediaSection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * A WebRtcEndpoint without media: SDP negotiation as KMS does it, trickle ICE with host
 * candidates, and the ICE / DTLS / media-flow events of a live call once a remote candidate is
 * known (§6, §8.3, §9 of the protocol reference).
 */
final class WebRtcEndpoint extends MediaElement {

  private static final Set<String> EVENTS = elementEventsAnd("MediaSessionStarted", "MediaSessionTerminated", "MediaStateChanged",
        "ConnectionStateChanged", "IceCandidateFound", "IceGatheringDone", "IceComponentStateChanged",
        "DtlsConnectionStateChange", "DataChannelOpened", "DataChannelClosed", "NewCandidatePairSelected");

  private enum Negotiation { NONE, OFFER_PROCESSED, OFFER_GENERATED, ANSWER_PROCESSED }

  private enum Gathering { NONE, GATHERING, DONE }

  /** One local candidate, reported once per m-line. */
  private record Candidate(int foundation, int component, String transport, long priority, int port, String tcpType) {
    String sdp(String address) {
      return "candidate:" + foundation + " " + component + " " + transport + " " + priority + " " + address + " "
          + port + " typ host" + (tcpType == null ? "" : " tcptype " + tcpType);
    }
  }

  private final boolean recvonlyFlag;
  private final boolean sendonlyFlag;
  private final boolean dataChannels;
  private final SdpIdentity identity;
  private final int dtlsIndex;
  private final List<Candidate> candidates;
  private final List<String> remoteCandidates = new ArrayList<>();
  private final long createdMillis;
  private Negotiation negotiation = Negotiation.NONE;
  private Gathering gathering = Gathering.NONE;
  private String localSdp;
  private String remoteSdp;
  private SessionDescription local;
  private SessionDescription remote;
  private boolean iceConnected;
  private boolean connectScheduled;
  private String selectedRemote;

  WebRtcEndpoint(MediaServer server, String id, MediaPipeline pipeline, Params ctor) {
    super(server, id, "WebRtcEndpoint", pipeline);
    this.recvonlyFlag = ctor.optionalBool("recvonly").orElse(false);
    this.sendonlyFlag = ctor.optionalBool("sendonly").orElse(false);
    this.dataChannels = ctor.optionalBool("useDataChannels").orElse(false);
    ctor.optionalEnum("certificateKeyType", "CertificateKeyType", Set.of("RSA", "ECDSA"));
    ctor.optionalString("qosDscp");
    this.identity = SdpIdentity.create(server.fingerprint(), server.clock().instant(), server.random());
    this.dtlsIndex = 1 + server.random().nextInt(64);
    this.createdMillis = server.clock().millis();
    this.candidates = hostCandidates(server);
    property("stunServerAddress", Property.Kind.STRING, JSON.textNode(""), true);
    property("stunServerPort", Property.Kind.INT, JSON.numberNode(3478), true);
    property("turnUrl", Property.Kind.STRING, JSON.textNode(""), true);
    property("externalIPv4", Property.Kind.STRING, JSON.textNode(""), true);
    property("externalIPv6", Property.Kind.STRING, JSON.textNode(""), true);
    property("externalAddress", Property.Kind.STRING, JSON.textNode(""), true);
    property("networkInterfaces", Property.Kind.STRING, JSON.textNode(""), true);
    property("iceTcp", Property.Kind.BOOLEAN, JSON.booleanNode(true), true);
    property("maxVideoRecvBandwidth", Property.Kind.INT, JSON.numberNode(0), true);
    property("minVideoRecvBandwidth", Property.Kind.INT, JSON.numberNode(0), true);
    property("maxAudioRecvBandwidth", Property.Kind.INT, JSON.numberNode(0), true);
    property("minVideoSendBandwidth", Property.Kind.INT, JSON.numberNode(100), true);
    property("maxVideoSendBandwidth", Property.Kind.INT, JSON.numberNode(500), true);
    property("mtu", Property.Kind.INT, JSON.numberNode(1200), true);
  }

  private static List<Candidate> hostCandidates(MediaServer server) {
    List<Candidate> list = new ArrayList<>();
    for (int component = 1; component <= 2; component++) {
      int udp = 1024 + server.random().nextInt(64_000);
      int passive = 1024 + server.random().nextInt(64_000);
      // KMS's priorities for host candidates: the component lowers each by one.
      list.add(new Candidate(1, component, "UDP", 2_015_363_328L - component, udp, null));
      list.add(new Candidate(2, component, "TCP", 1_015_021_824L - component, 9, "active"));
      list.add(new Candidate(3, component, "TCP", 1_010_827_520L - component, passive, "passive"));
    }
    return List.copyOf(list);
  }

  @Override
  protected List<String> hierarchy() {
    return List.of("kurento.BaseRtpEndpoint", "kurento.SdpEndpoint", "kurento.SessionEndpoint",
        "kurento.Endpoint", "kurento.MediaElement", "kurento.MediaObject");
  }

  @Override
  protected Set<String> events() {
    return EVENTS;
  }

  @Override
  protected JsonNode operation(String operation, Params params) {
    return switch (operation) {
      case "processOffer" -> JSON.textNode(processOffer(params.required().string("offer")));
      case "generateOffer" -> JSON.textNode(generateOffer(params.optionalObject("options").map(o -> Params.of(o, "options"))));
      case "processAnswer" -> JSON.textNode(processAnswer(params.required().string("answer")));
      case "gatherCandidates" -> {
        gatherCandidates();
        yield null;
      }
      case "addIceCandidate" -> {
        addIceCandidate(Params.of(params.required().object("candidate"), "candidate"));
        yield null;
      }
      case "getLocalSessionDescriptor" -> {
        if (localSdp == null) {
          throw KmsException.noLocalSdp();
        }
        yield JSON.textNode(localDescription());
      }
      case "getRemoteSessionDescriptor" -> {
        if (remoteSdp == null) {
          throw KmsException.noRemoteSdp();
        }
        yield JSON.textNode(remoteSdp);
      }
      case "getMediaState", "getConnectionState" -> JSON.textNode(iceConnected ? "CONNECTED" : "DISCONNECTED");
      case "getICECandidatePairs" -> candidatePairs();
      case "getIceConnectionState" -> iceConnectionState();
      case "getDtlsConnectionState" -> dtlsConnectionState();
      case "requestKeyframe" -> {
        if (!server.hasSource(this)) {
          throw KmsException.operationNotSupported(
              "Keyframe request failed (must be requested from a subscriber element)");
        }
        yield null;
      }
      case "createDataChannel", "closeDataChannel" -> {
        if (!dataChannels) {
          throw KmsException.operationNotSupported("Data channels are not supported");
        }
        yield null;
      }
      // getIceTcp aborts a real KMS 7.3 (c2-crashes); the emulator refuses it instead of crashing.
      case "getIceTcp" -> throw KmsException.operationNotSupported(
          "getIceTcp crashes KMS 7.3 (stack smashing); do not call it");
      default -> super.operation(operation, params);
    };
  }

  // ---------------------------------------------------------------- negotiation

  private String processOffer(String offer) {
    if (offer.isEmpty()) {
      throw KmsException.sdpParse("Empty offer not valid");
    }
    SessionDescription parsed = parse(offer);
    if (negotiation != Negotiation.NONE) {
      throw KmsException.alreadyNegotiated();
    }
    String answer = KmsSdp.answer(parsed, identity);
    remote = parsed;
    remoteSdp = offer;
    local = SessionDescription.parse(answer);
    server.flowInputsChanged(this); // flows follow the directions negotiated
    localSdp = answer;
    negotiation = Negotiation.OFFER_PROCESSED;
    server.emit(this, "MediaSessionStarted", newData());
    return answer;
  }

  private String generateOffer(java.util.Optional<Params> options) {
    if (negotiation != Negotiation.NONE) {
      throw KmsException.alreadyNegotiated();
    }
    boolean audio = options.flatMap(o -> o.optionalBool("offerToReceiveAudio")).orElse(true);
    boolean video = options.flatMap(o -> o.optionalBool("offerToReceiveVideo")).orElse(true);
    String direction = recvonlyFlag ? "recvonly" : sendonlyFlag ? "sendonly" : "sendrecv";
    localSdp = KmsSdp.offer(audio, video, direction, identity);
    local = SessionDescription.parse(localSdp);
    server.flowInputsChanged(this); // flows follow the directions negotiated
    negotiation = Negotiation.OFFER_GENERATED;
    return localSdp;
  }

  private String processAnswer(String answer) {
    if (answer.isEmpty()) {
      throw KmsException.sdpParse("Empty answer not valid");
    }
    SessionDescription parsed = parse(answer);
    if (negotiation == Negotiation.ANSWER_PROCESSED) {
      throw KmsException.answerAlreadyProcessed();
    }
    if (negotiation != Negotiation.OFFER_GENERATED) {
      throw KmsException.offerNotGenerated();
    }
    remote = parsed;
    server.flowInputsChanged(this); // flows follow the directions negotiated
    remoteSdp = answer;
    negotiation = Negotiation.ANSWER_PROCESSED;
    server.emit(this, "MediaSessionStarted", newData());
    maybeConnect();
    return localDescription();
  }

  private static SessionDescription parse(String sdp) {
    try {
      return SessionDescription.parse(sdp);
    } catch (IllegalArgumentException e) {
      throw KmsException.sdpParse(e.getMessage());
    }
  }

  private String localDescription() {
    if (gathering != Gathering.DONE) {
      return localSdp;
    }
    String address = server.config().candidateAddress();
    Candidate passive = candidates.get(2);
    List<String> inline = candidates.stream().map(c -> c.sdp(address)).toList();
    return KmsSdp.withCandidates(localSdp, address, passive.port(), inline);
  }

  // ---------------------------------------------------------------- ICE

  private void gatherCandidates() {
    // Before negotiation this is a silent no-op, and gathering does not start later by itself.
    if (negotiation == Negotiation.NONE || gathering != Gathering.NONE) {
      return;
    }
    gathering = Gathering.GATHERING;
    iceComponentState(2, "GATHERING");
    iceComponentState(1, "GATHERING");
    server.later(2, () -> {
      if (!alive()) {
        return;
      }
      String address = server.config().candidateAddress();
      List<MediaSection> media = local.media();
      for (Candidate c : candidates) {
        for (int index = 0; index < media.size(); index++) {
          MediaSection m = media.get(index);
          if (m.port().equals("0")) {
            continue;
          }
          ObjectNode data = newData();
          data.putObject("candidate")
              .put("__module__", "kurento")
              .put("__type__", "IceCandidate")
              .put("candidate", c.sdp(address))
              .put("sdpMLineIndex", index)
              .put("sdpMid", m.mid().orElse(Integer.toString(index)));
          server.emit(this, "IceCandidateFound", data);
        }
      }
      gathering = Gathering.DONE;
      server.emit(this, "IceGatheringDone", newData());
      maybeConnect();
    });
  }

  private void addIceCandidate(Params candidate) {
    String text = candidate.optionalString("candidate").orElse("");
    // Garbage is accepted and kept, as KMS keeps it; only a well-formed candidate lets ICE connect.
    if (text.startsWith("candidate:")) {
      remoteCandidates.add(text);
      maybeConnect();
    }
  }

  private void maybeConnect() {
    boolean negotiated = negotiation == Negotiation.OFFER_PROCESSED || negotiation == Negotiation.ANSWER_PROCESSED;
    if (!negotiated || gathering != Gathering.DONE || remoteCandidates.isEmpty() || connectScheduled) {
      return;
    }
    connectScheduled = true;
    server.later(10, this::connectIce);
  }

  /** The events a real KMS sends as ICE and DTLS come up with a browser (trace b, §8.3). */
  private void connectIce() {
    if (!alive()) {
      return;
    }
    selectedRemote = normalise(remoteCandidates.get(0));
    iceComponentState(1, "CONNECTING");
    ObjectNode pair = newData();
    pair.set("candidatePair", candidatePair());
    server.emit(this, "NewCandidatePairSelected", pair);
    iceComponentState(1, "CONNECTED");
    dtls("[bundle/dtlssrtpenc]", "NEW");
    dtls("[bundle/dtlssrtpenc]", "CONNECTING");
    dtls("[bundle/dtlssrtpdec]", "CONNECTING");
    server.emit(this, "ConnectionStateChanged", newData().put("oldState", "DISCONNECTED").put("newState", "CONNECTED"));
    dtls("[bundle/dtlssrtpenc]", "CONNECTED");
    dtls("[bundle/dtlssrtpdec]", "CONNECTED");
    iceConnected = true;
    server.flowInputsChanged(this);
    server.refreshFlows();
    server.emit(this, "MediaStateChanged", newData().put("oldState", "DISCONNECTED").put("newState", "CONNECTED"));
    iceComponentState(1, "READY");
  }

  /** libnice reports the remote candidate without the browser's trailing extensions. */
  private static String normalise(String candidate) {
    String[] f = candidate.split("\\s+");
    if (f.length < 8) {
      return candidate;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(i == 2 ? f[i].toUpperCase(Locale.ROOT) : f[i]);
    }
    return sb.toString();
  }

  private ObjectNode candidatePair() {
    return JSON.objectNode()
        .put("__module__", "kurento")
        .put("__type__", "IceCandidatePair")
        .put("componentId", 1)
        .put("localCandidate", candidates.get(0).sdp(server.config().candidateAddress()))
        .put("remoteCandidate", selectedRemote)
        .put("streamId", "1");
  }

  private void iceComponentState(int component, String state) {
    server.emit(this, "IceComponentStateChanged",
        newData().put("componentId", component).put("state", state).put("streamId", 1));
  }

  private void dtls(String component, String state) {
    server.emit(this, "DtlsConnectionStateChange", newData()
        .put("componentId", component)
        .put("connectionId", "dtlssrtpenc" + dtlsIndex + "-dtlssrtpdec" + dtlsIndex + "-1-1")
        .put("state", state)
        .put("streamId", "1"));
  }

  private ArrayNode candidatePairs() {
    ArrayNode a = JSON.arrayNode();
    if (iceConnected) {
      a.add(candidatePair());
    }
    return a;
  }

  private ArrayNode iceConnectionState() {
    ArrayNode a = JSON.arrayNode();
    if (gathering == Gathering.NONE) {
      return a;
    }
    String first = iceConnected ? "READY" : gathering == Gathering.DONE && !remoteCandidates.isEmpty() ? "CONNECTING" : "GATHERING";
    a.addObject().put("__module__", "kurento").put("__type__", "IceConnection").put("componentId", 1)
        .put("state", first).put("streamId", "1");
    // Under rtcp-mux component 2 never leaves GATHERING.
    a.addObject().put("__module__", "kurento").put("__type__", "IceConnection").put("componentId", 2)
        .put("state", "GATHERING").put("streamId", "1");
    return a;
  }

  private ArrayNode dtlsConnectionState() {
    ArrayNode a = JSON.arrayNode();
    if (iceConnected) {
      for (String component : List.of("[bundle/dtlssrtpenc]", "[bundle/dtlssrtpdec]")) {
        a.addObject().put("__module__", "kurento").put("__type__", "DtlsConnection")
            .put("componentId", component)
            .put("connectionId", "dtlssrtpenc" + dtlsIndex + "-dtlssrtpdec" + dtlsIndex + "-1-1")
            .put("state", "CONNECTED").put("streamId", "1");
      }
    }
    return a;
  }

  // ---------------------------------------------------------------- media flow

  /** Media the browser sends to KMS, by the remote description's direction. */
  private boolean browserSends(String mediaType) {
    return remote != null && directionAllows(remote, mediaType, "sendonly");
  }

  /** Media KMS sends to the browser, by the local description's direction. */
  private boolean kmsSends(String mediaType) {
    return local != null && directionAllows(local, mediaType, "sendonly");
  }

  private static boolean directionAllows(SessionDescription sdp, String mediaType, String sending) {
    String kind = mediaType.toLowerCase(Locale.ROOT);
    for (MediaSection m : sdp.media()) {
      if (m.kind().equals(kind) && !m.port().equals("0")) {
        String d = m.direction();
        if (d.equals("sendrecv") || d.equals(sending)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  protected boolean wantsFlowOut(String mediaType) {
    return iceConnected && browserSends(mediaType);
  }

  @Override
  protected boolean wantsFlowIn(String mediaType) {
    return iceConnected && kmsSends(mediaType) && sourceFlowing(mediaType);
  }

  @Override
  protected JsonNode stats() {
    if (!iceConnected) {
      return NullNode.getInstance();
    }
    long now = server.clock().millis();
    long elapsed = Math.max(1, now - createdMillis);
    ObjectNode all = JSON.objectNode();
    for (String mediaType : List.of("AUDIO", "VIDEO")) {
      boolean inbound = browserSends(mediaType);
      boolean outbound = kmsSends(mediaType) && sourceFlowing(mediaType);
      if (!inbound && !outbound) {
        continue;
      }
      long packets = elapsed / (mediaType.equals("AUDIO") ? 20 : 33);
      String statsId = UUID.nameUUIDFromBytes((id() + mediaType).getBytes()).toString();
      ObjectNode s = all.putObject(statsId)
          .put("__module__", "kurento")
          .put("__type__", inbound ? "RTCInboundRTPStreamStats" : "RTCOutboundRTPStreamStats")
          .put("associateStatsId", "")
          .put("codecId", "")
          .put("firCount", 0)
          .put("fractionLost", 0)
          .put("id", statsId)
          .put("isRemote", false)
          .put("mediaTrackId", "")
          .put("nackCount", 0)
          .put("pliCount", 0)
          .put("sliCount", 0)
          .put("ssrc", Long.toString(identity.ssrc(mediaType.equals("AUDIO") ? 0 : 1)))
          .put("timestampMillis", now)
          .put("transportId", "")
          .put("type", inbound ? "inboundrtp" : "outboundrtp");
      if (inbound) {
        s.put("bytesReceived", packets * 620).put("jitter", 0.0004).put("packetsLost", 0)
            .put("packetsReceived", packets).put("remb", 300_000);
      } else {
        s.put("bytesSent", packets * 620).put("packetsLost", 0).put("packetsSent", packets)
            .put("remb", 0).put("roundTripTime", 0.001).put("targetBitrate", 0);
      }
    }
    return all;
  }
}
