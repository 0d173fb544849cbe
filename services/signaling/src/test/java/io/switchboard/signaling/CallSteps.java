package io.switchboard.signaling;

import static io.switchboard.signaling.BrowserSocket.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The steps of a call as a test client takes them over /groupcall, with Chromium's own SDP offers. */
final class CallSteps {

  static final String SENDONLY = "01-sendonly-audio-video.offer.chromium.sdp";
  static final String RECVONLY = "02-recvonly-audio-video.offer.chromium.sdp";

  private CallSteps() {}

  /** A real Chromium offer from src/test/resources/sdp. */
  static String offer(String name) {
    try (InputStream in = CallSteps.class.getResourceAsStream("/sdp/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Joins, and returns the session token. */
  static String joined(BrowserSocket socket, String name, String room) {
    socket.send(message("joinRoom").put("name", name).put("room", room));
    socket.next("existingParticipants");
    return socket.next("session").path("token").asText();
  }

  /** Publishes one's camera: the answer, and the first of its candidates (it has gathered). */
  static void publish(BrowserSocket socket, String name) {
    socket.send(message("receiveVideoFrom").put("sender", name).put("sdpOffer", offer(SENDONLY)));
    assertThat(socket.next("receiveVideoAnswer").path("name").asText()).isEqualTo(name);
    candidateFor(socket, name);
  }

  /** Receives {@code sender}: the answer, and the first candidate of the receiving endpoint. */
  static void subscribe(BrowserSocket socket, String sender) {
    socket.send(message("receiveVideoFrom").put("sender", sender).put("sdpOffer", offer(RECVONLY)));
    assertThat(socket.next("receiveVideoAnswer").path("name").asText()).isEqualTo(sender);
    candidateFor(socket, sender);
  }

  /** A browser's host candidate on loopback {@code port} (m-line 0), as RTCIceCandidate's JSON. */
  static com.fasterxml.jackson.databind.node.ObjectNode candidate(int foundation, int port) {
    return BrowserSocket.JSON.createObjectNode()
        .put("candidate", "candidate:" + foundation + " 1 udp 2122260223 192.0.2.10 " + port + " typ host")
        .put("sdpMid", "0").put("sdpMLineIndex", 0);
  }

  /** Waits for a candidate of the endpoint that publishes or receives {@code name}. */
  static void candidateFor(BrowserSocket socket, String name) {
    while (!socket.next("iceCandidate").path("name").asText().equals(name)) {
      // another endpoint's, still trickling
    }
  }
}
