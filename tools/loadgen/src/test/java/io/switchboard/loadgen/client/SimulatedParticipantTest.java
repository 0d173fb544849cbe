package io.switchboard.loadgen.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.loadgen.media.Candidates;
import io.switchboard.loadgen.media.OfferFactory;
import io.switchboard.loadgen.metrics.RunMetrics;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A participant's side of the protocol, against scripted server messages on fake sockets. */
class SimulatedParticipantTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final URI POD_A = URI.create("ws://pod-a/groupcall");
  private static final URI POD_B = URI.create("ws://pod-b/groupcall");
  private static final String TOKEN = "pV0c1cYqZ7Wm3w2m0b0x4l8N3l5y0Qe6m9Tq2Kc1Hk4";

  private final FakeSockets sockets = new FakeSockets();
  private final RunMetrics metrics = new RunMetrics();
  private final ClientContext ctx = new ClientContext(sockets,
      new ClientSettings(List.of(POD_A, POD_B), false, 2, 0, 1, Duration.ofSeconds(30), Duration.ofSeconds(5),
          Duration.ofSeconds(15), Duration.ZERO),
      metrics, new OfferFactory(new SplittableRandom(1)), new Candidates(new SplittableRandom(2)), System::nanoTime);
  private final SimulatedParticipant alice = new SimulatedParticipant(ctx, 0, "alice", "standup", true);

  @AfterEach
  void stop() {
    sockets.timer.shutdownNow();
  }

  @Test
  void joinsThenPublishesAndReceivesEveryoneItLearnsOf() {
    alice.join();
    FakeSocket socket = sockets.last();
    assertThat(socket.url).isEqualTo(POD_A);
    assertThat(socket.ids()).containsExactly("joinRoom");

    socket.server("{\"id\":\"existingParticipants\",\"data\":[\"bob\",\"carol\"],\"participants\":[]}");
    socket.server("{\"id\":\"newParticipantArrived\",\"name\":\"dave\",\"audio\":true,\"video\":true}");

    // Own camera first, then each other, each offer followed by its candidates.
    assertThat(socket.offersTo()).containsExactly("alice", "bob", "carol", "dave");
    assertThat(socket.ids()).containsExactly("joinRoom",
        "receiveVideoFrom", "onIceCandidate", "onIceCandidate", "receiveVideoFrom", "onIceCandidate", "onIceCandidate",
        "receiveVideoFrom", "onIceCandidate", "onIceCandidate", "receiveVideoFrom", "onIceCandidate", "onIceCandidate");
    assertThat(socket.sent.get(2).path("name").asString()).isEqualTo("alice");
    assertThat(alice.unsettled()).isEqualTo(4);
    assertThat(alice.busy(System.nanoTime())).isTrue();

    for (String sender : List.of("alice", "bob", "carol", "dave")) {
      socket.server("{\"id\":\"receiveVideoAnswer\",\"name\":\"" + sender + "\",\"sdpAnswer\":\"v=0\"}");
    }
    socket.server("{\"id\":\"iceCandidate\",\"name\":\"bob\",\"candidate\":{\"candidate\":\"candidate:1 1 UDP 1 127.0.0.1 1 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}");

    RunMetrics.Snapshot s = metrics.snapshot();
    assertThat(s.joined()).isEqualTo(1);
    assertThat(s.offered()).isEqualTo(4);
    assertThat(s.settled()).isEqualTo(4);
    assertThat(s.candidatesReceived()).isEqualTo(1);
    assertThat(alice.unsettled()).isZero();
    assertThat(alice.busy(System.nanoTime())).isFalse();
    assertThat(metrics.latency(RunMetrics.Timing.OFFER_ANSWER).count()).isEqualTo(4);
  }

  @Test
  void theRoomHearingOfAJoinIsTimedFromThatJoinRoom() {
    FakeSocket aliceSocket = joined();
    SimulatedParticipant bob = new SimulatedParticipant(ctx, 1, "bob", "standup", true);
    bob.join();
    assertThat(sockets.last().ids()).containsExactly("joinRoom");

    aliceSocket.server("{\"id\":\"newParticipantArrived\",\"name\":\"bob\",\"audio\":true,\"video\":true}");
    // Someone this run did not send a joinRoom for (another process's participant): not timed.
    aliceSocket.server("{\"id\":\"newParticipantArrived\",\"name\":\"erin\",\"audio\":true,\"video\":true}");

    assertThat(metrics.latency(RunMetrics.Timing.ARRIVAL).count()).isEqualTo(1);
    assertThat(aliceSocket.offersTo()).containsExactly("alice", "bob", "erin");
  }

  @Test
  void aSendersDepartureCancelsItsWaitingStreamAndNothingElse() {
    FakeSocket socket = joined("bob", "carol");

    socket.server("{\"id\":\"participantLeft\",\"name\":\"bob\"}");
    socket.server("{\"id\":\"receiveVideoAnswer\",\"name\":\"carol\",\"sdpAnswer\":\"v=0\"}");

    assertThat(metrics.snapshot().cancelled()).isEqualTo(1);
    assertThat(metrics.snapshot().settled()).isEqualTo(1);
    assertThat(alice.unsettled()).isEqualTo(1); // her own camera, still waiting
  }

  @Test
  void aRefusedOfferFailsThatStreamOnly() {
    FakeSocket socket = joined("bob");

    socket.server("{\"id\":\"error\",\"code\":\"invalid-sdp\",\"message\":\"no\",\"requestId\":\"rvf:bob\"}");

    assertThat(metrics.snapshot().failed()).isEqualTo(1);
    assertThat(metrics.errors()).containsEntry("invalid-sdp", 1L);
    assertThat(alice.unsettled()).isEqualTo(1);
    assertThat(alice.phase()).isEqualTo(SimulatedParticipant.Phase.JOINED);
  }

  @Test
  void anOfferRefusedBecauseItsSenderJustLeftIsCancelledWhenTheDepartureArrives() {
    FakeSocket socket = joined("bob");

    // The pod answers the offer before bob's departure reaches this socket.
    socket.server("{\"id\":\"error\",\"code\":\"unknown-sender\",\"message\":\"no\",\"requestId\":\"rvf:bob\"}");
    assertThat(alice.busy(System.nanoTime())).as("waits for the departure").isTrue();
    socket.server("{\"id\":\"participantLeft\",\"name\":\"bob\"}");

    assertThat(metrics.snapshot().failed()).isZero();
    assertThat(metrics.snapshot().cancelled()).isEqualTo(1);
    assertThat(metrics.errors()).containsEntry("unknown-sender", 1L);
  }

  @Test
  void anOfferRefusedAsUnknownSenderFailsWhenTheSenderNeverLeaves() {
    FakeSocket socket = joined("bob");

    socket.server("{\"id\":\"error\",\"code\":\"unknown-sender\",\"message\":\"no\",\"requestId\":\"rvf:bob\"}");
    long later = System.nanoTime() + Duration.ofSeconds(31).toNanos();
    alice.expireOverdue(later);

    assertThat(metrics.snapshot().failed()).isEqualTo(1);
    assertThat(metrics.snapshot().cancelled()).isZero();
    socket.server("{\"id\":\"receiveVideoAnswer\",\"name\":\"alice\",\"sdpAnswer\":\"v=0\"}");
    assertThat(alice.busy(later)).isFalse();
  }

  @Test
  void anErrorWithoutRequestIdWhileJoiningIsTheJoinsFailure() {
    alice.join();

    sockets.last().server("{\"id\":\"error\",\"code\":\"unavailable\",\"message\":\"the media server or room state is unavailable; retry\"}");

    assertThat(alice.phase()).isEqualTo(SimulatedParticipant.Phase.FAILED);
    assertThat(metrics.snapshot().joinFailed()).isEqualTo(1);
    assertThat(metrics.errors()).containsEntry("unavailable", 1L);
    assertThat(alice.busy(System.nanoTime())).isFalse();
  }

  @Test
  void aDroppedSocketResumesOnTheNextUrlAndCatchesUpWithNewcomers() {
    FakeSocket first = joined("bob");
    first.server("{\"id\":\"session\",\"token\":\"" + TOKEN + "\"}");
    first.server("{\"id\":\"receiveVideoAnswer\",\"name\":\"alice\",\"sdpAnswer\":\"v=0\"}");
    first.server("{\"id\":\"receiveVideoAnswer\",\"name\":\"bob\",\"sdpAnswer\":\"v=0\"}");

    first.serverClosed(1006);

    FakeSocket second = sockets.last();
    assertThat(second).isNotSameAs(first);
    assertThat(second.url).isEqualTo(POD_B);
    assertThat(second.ids()).containsExactly("resume");
    assertThat(second.sent.get(0).path("token").asString()).isEqualTo(TOKEN);
    assertThat(alice.phase()).isEqualTo(SimulatedParticipant.Phase.RESUMING);

    second.server("{\"id\":\"resumed\",\"name\":\"alice\",\"room\":\"standup\"}");
    second.server("{\"id\":\"existingParticipants\",\"data\":[\"bob\",\"erin\"],\"participants\":[]}");

    assertThat(alice.phase()).isEqualTo(SimulatedParticipant.Phase.JOINED);
    assertThat(alice.everDropped()).isTrue();
    assertThat(second.offersTo()).containsExactly("erin"); // came while the socket was down
    RunMetrics.Snapshot s = metrics.snapshot();
    assertThat(s.dropped()).isEqualTo(1);
    assertThat(s.resumed()).isEqualTo(1);
    assertThat(s.closedUnexpectedly()).isEqualTo(1);
    assertThat(metrics.errors()).containsEntry("close-1006", 1L);
    assertThat(metrics.latency(RunMetrics.Timing.RECOVERY).count()).isEqualTo(1);
  }

  @Test
  void reconnectMovesAtOnceAndTheOldSocketsCloseIsNoNews() {
    FakeSocket first = joined();
    first.server("{\"id\":\"session\",\"token\":\"" + TOKEN + "\"}");

    first.server("{\"id\":\"reconnect\",\"reason\":\"this signaling pod is stopping; reconnect and resume\"}");
    FakeSocket second = sockets.last();
    second.server("{\"id\":\"resumed\",\"name\":\"alice\",\"room\":\"standup\"}");
    first.serverClosed(4000);

    RunMetrics.Snapshot s = metrics.snapshot();
    assertThat(s.resumed()).isEqualTo(1);
    assertThat(s.closedUnexpectedly()).isZero();
    assertThat(metrics.errors()).isEmpty();
  }

  @Test
  void anInvalidTokenEndsTheResume() {
    FakeSocket first = joined();
    first.server("{\"id\":\"session\",\"token\":\"" + TOKEN + "\"}");
    first.serverClosed(1006);

    sockets.last().server("{\"id\":\"error\",\"code\":\"invalid-token\",\"message\":\"unknown\",\"requestId\":\"resume\"}");

    assertThat(alice.phase()).isEqualTo(SimulatedParticipant.Phase.FAILED);
    assertThat(metrics.snapshot().resumeFailed()).isEqualTo(1);
    assertThat(metrics.snapshot().cancelled()).isEqualTo(1); // her own camera's answer never came
  }

  @Test
  void withoutATokenADropIsTheEnd() {
    FakeSocket socket = joined();

    socket.serverClosed(1011);

    assertThat(alice.phase()).isEqualTo(SimulatedParticipant.Phase.FAILED);
    assertThat(sockets.opened).hasSize(1);
  }

  @Test
  void leavingSaysSoAndClosesNormally() {
    FakeSocket socket = joined("bob");

    alice.leave();

    assertThat(socket.ids()).endsWith("leaveRoom");
    assertThat(socket.closedWith).isEqualTo(WebSocket.NORMAL_CLOSURE);
    assertThat(metrics.snapshot().left()).isEqualTo(1);
    assertThat(metrics.snapshot().cancelled()).isEqualTo(2);
    socket.serverClosed(1000);
    assertThat(metrics.snapshot().closedUnexpectedly()).isZero();
  }

  @Test
  void aSocketThatCannotOpenFailsTheJoin() {
    sockets.refuse = true;

    alice.join();

    assertThat(alice.phase()).isEqualTo(SimulatedParticipant.Phase.FAILED);
    assertThat(metrics.errors()).containsEntry("connect-failed", 1L);
  }

  private FakeSocket joined(String... others) {
    alice.join();
    FakeSocket socket = sockets.last();
    StringBuilder data = new StringBuilder();
    for (String o : others) {
      data.append(data.length() == 0 ? "" : ",").append('"').append(o).append('"');
    }
    socket.server("{\"id\":\"existingParticipants\",\"data\":[" + data + "],\"participants\":[]}");
    return socket;
  }

  static final class FakeSockets implements WebSockets {
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final List<FakeSocket> opened = new ArrayList<>();
    boolean refuse;

    @Override
    public CompletableFuture<WebSocket> open(URI url, WebSocket.Listener listener) {
      if (refuse) {
        return CompletableFuture.failedFuture(new java.net.ConnectException("refused"));
      }
      FakeSocket socket = new FakeSocket(url, listener);
      synchronized (this) {
        opened.add(socket);
      }
      listener.onOpen(socket);
      return CompletableFuture.completedFuture(socket);
    }

    /** The socket opened last (joins and first resume attempts open theirs at once). */
    synchronized FakeSocket last() {
      if (opened.isEmpty()) {
        throw new AssertionError("no socket opened");
      }
      return opened.get(opened.size() - 1);
    }

    @Override
    public ScheduledExecutorService timer() {
      return timer;
    }
  }

  static final class FakeSocket implements WebSocket {
    final URI url;
    final WebSocket.Listener listener;
    final List<JsonNode> sent = new ArrayList<>();
    Integer closedWith;

    FakeSocket(URI url, WebSocket.Listener listener) {
      this.url = url;
      this.listener = listener;
    }

    void server(String json) {
      listener.onText(this, json, true);
    }

    void serverClosed(int code) {
      listener.onClose(this, code, "");
    }

    synchronized List<String> ids() {
      return sent.stream().map(m -> m.path("id").asString()).toList();
    }

    synchronized List<String> offersTo() {
      return sent.stream().filter(m -> m.path("id").asString().equals("receiveVideoFrom"))
          .map(m -> m.path("sender").asString()).toList();
    }

    @Override
    public synchronized CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
      sent.add(JSON.readTree(data.toString()));
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public synchronized CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
      closedWith = statusCode;
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public void request(long n) {}

    @Override
    public String getSubprotocol() {
      return "";
    }

    @Override
    public boolean isOutputClosed() {
      return closedWith != null;
    }

    @Override
    public boolean isInputClosed() {
      return false;
    }

    @Override
    public void abort() {}
  }
}
