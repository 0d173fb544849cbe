package io.switchboard.groupcall.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MessageEncoderTest {

  private final MessageEncoder encoder = new MessageEncoder();

  @Test
  void tutorialMessagesKeepTheirShape() {
    assertThat(encoder.encode(new ServerMessage.ExistingParticipants(List.of(
        new ServerMessage.ParticipantState("bob", true, false, false)))))
        .isEqualTo("{\"id\":\"existingParticipants\",\"data\":[\"bob\"],"
            + "\"participants\":[{\"name\":\"bob\",\"audio\":true,\"video\":false,\"screen\":false}]}");
    assertThat(encoder.encode(new ServerMessage.NewParticipantArrived("bob", true, true)))
        .isEqualTo("{\"id\":\"newParticipantArrived\",\"name\":\"bob\",\"audio\":true,\"video\":true}");
    assertThat(encoder.encode(new ServerMessage.ParticipantLeft("bob")))
        .isEqualTo("{\"id\":\"participantLeft\",\"name\":\"bob\"}");
    assertThat(encoder.encode(new ServerMessage.ReceiveVideoAnswer("bob", "v=0\r\n", Stream.WEBCAM)))
        .isEqualTo("{\"id\":\"receiveVideoAnswer\",\"name\":\"bob\",\"sdpAnswer\":\"v=0\\r\\n\"}");
    assertThat(encoder.encode(new ServerMessage.IceCandidateFound("bob",
        new IceCandidate("candidate:1 1 UDP 2015363327 127.0.0.1 4000 typ host", "0", 0), Stream.SCREEN)))
        .isEqualTo("{\"id\":\"iceCandidate\",\"name\":\"bob\",\"candidate\":{\"candidate\":\"candidate:1 1 UDP 2015363327 "
            + "127.0.0.1 4000 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0},\"stream\":\"screen\"}");
  }

  @Test
  void extensionMessages() {
    assertThat(encoder.encode(new ServerMessage.ChatMessage("alice", "hi", null, 1795213382733L)))
        .isEqualTo("{\"id\":\"chatMessage\",\"from\":\"alice\",\"text\":\"hi\",\"ts\":1795213382733}");
    assertThat(encoder.encode(new ServerMessage.BroadcastResponse(false, false, null, "no presenter")))
        .isEqualTo("{\"id\":\"viewerResponse\",\"response\":\"rejected\",\"message\":\"no presenter\"}");
    assertThat(encoder.encode(new ServerMessage.BroadcastResponse(true, true, "v=0", null)))
        .isEqualTo("{\"id\":\"presenterResponse\",\"response\":\"accepted\",\"sdpAnswer\":\"v=0\"}");
    assertThat(encoder.encode(new ServerMessage.Session("tok"))).isEqualTo("{\"id\":\"session\",\"token\":\"tok\"}");
    assertThat(encoder.encode(new ServerMessage.Error("unknown-id", "nope", null)))
        .isEqualTo("{\"id\":\"error\",\"code\":\"unknown-id\",\"message\":\"nope\"}");
    assertThat(encoder.encode(new ServerMessage.StopCommunication())).isEqualTo("{\"id\":\"stopCommunication\"}");
    assertThat(encoder.encode(new ServerMessage.Resumed("alice", "standup")))
        .isEqualTo("{\"id\":\"resumed\",\"name\":\"alice\",\"room\":\"standup\"}");
    assertThat(encoder.encode(new ServerMessage.Reconnect("stopping")))
        .isEqualTo("{\"id\":\"reconnect\",\"reason\":\"stopping\"}");
    assertThat(encoder.encode(new ServerMessage.Recording("alice", true, "standup-alice-1.webm")))
        .isEqualTo("{\"id\":\"recordingStarted\",\"name\":\"alice\",\"recording\":\"standup-alice-1.webm\"}");
    assertThat(encoder.encode(new ServerMessage.MediaMoved("node down")))
        .isEqualTo("{\"id\":\"mediaMoved\",\"reason\":\"node down\"}");
  }
}
