package io.switchboard.signaling.ws;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.groupcall.protocol.MessageDecoder;
import io.switchboard.groupcall.protocol.MessageEncoder;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The message codec run over what a join and its streams send and receive (a join, an offer with
 * a browser's SDP, a candidate; existingParticipants, newParticipantArrived, an answer, a
 * candidate), so that the JIT has compiled it before a pod's first burst. Touches no socket and no
 * state.
 */
public final class CodecRehearsal {

  private CodecRehearsal() {}

  /** Decodes and encodes the set {@code times} times; returns what the frames decoded to (once). */
  public static List<ClientMessage> rehearse(int times, String offer) {
    MessageDecoder decoder = new MessageDecoder();
    MessageEncoder encoder = new MessageEncoder();
    JsonMapper json = JsonMapper.builder().build();
    IceCandidate candidate = new IceCandidate(
        "candidate:445512934 1 udp 2122194687 192.0.2.2 53056 typ host generation 0", "0", 0);
    List<String> frames = List.of(
        json.writeValueAsString(Map.of("id", "joinRoom", "name", "rehearsal", "room", "rehearsal")),
        json.writeValueAsString(Map.of("id", "receiveVideoFrom", "sender", "rehearsal", "sdpOffer", offer)),
        json.writeValueAsString(Map.of("id", "onIceCandidate", "name", "rehearsal", "candidate", Map.of(
            "candidate", candidate.candidate(), "sdpMid", candidate.sdpMid(), "sdpMLineIndex", 0))));
    List<ServerMessage> replies = List.of(
        new ServerMessage.ExistingParticipants(List.of(new ServerMessage.ParticipantState("a", true, true, false))),
        new ServerMessage.NewParticipantArrived("a", true, true),
        new ServerMessage.ReceiveVideoAnswer("a", offer, Stream.WEBCAM),
        new ServerMessage.IceCandidateFound("a", candidate, Stream.WEBCAM));
    List<ClientMessage> decoded = new ArrayList<>();
    for (String frame : frames) {
      decoded.add(decoder.decode(frame));
    }
    long bytes = 0;
    for (int i = 0; i < times; i++) {
      for (String frame : frames) {
        bytes += decoder.decode(frame).hashCode() & 1;
      }
      for (ServerMessage reply : replies) {
        bytes += encoder.encode(reply).length();
      }
    }
    org.slf4j.LoggerFactory.getLogger(CodecRehearsal.class).debug("message codec rehearsed {} times ({} bytes)",
        times, bytes);
    return decoded;
  }
}
