package io.switchboard.loadgen.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboxTest {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final RecordingSocket socket = new RecordingSocket();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void oneMessageInFlightAtATimeInOrder() {
    Outbox outbox = new Outbox(socket, new RateLimit(0, 1, 0), timer, System::nanoTime, failure::set);

    outbox.send("a", null);
    outbox.send("b", null);
    outbox.send("c", null);
    assertThat(socket.texts).containsExactly("a");

    socket.completeLast();
    assertThat(socket.texts).containsExactly("a", "b");
    socket.completeLast();
    socket.completeLast();
    assertThat(socket.texts).containsExactly("a", "b", "c");
    assertThat(outbox.queued()).isZero();
  }

  @Test
  void writesThatCompleteAtOnceDrainTheQueueWithoutWaiting() {
    socket.completeImmediately = true;
    Outbox outbox = new Outbox(socket, new RateLimit(0, 1, 0), timer, System::nanoTime, failure::set);

    for (int i = 0; i < 1_000; i++) {
      outbox.send("m" + i, null);
    }

    assertThat(socket.texts).hasSize(1_000).startsWith("m0", "m1").endsWith("m999");
  }

  @Test
  void eachMessageLearnsWhenItWasHandedOver() {
    socket.completeImmediately = true;
    Outbox outbox = new Outbox(socket, new RateLimit(0, 1, 0), timer, () -> 42L, failure::set);
    List<Long> sentAt = new ArrayList<>();

    outbox.send("a", sentAt::add);

    assertThat(sentAt).containsExactly(42L);
  }

  @Test
  void pacedMessagesWaitForTheirTurnOnTheTimer() throws Exception {
    socket.completeImmediately = true;
    // 4 a second: the third is due 250 ms after the first two, time enough to look before it goes
    // even on a loaded machine.
    Outbox outbox = new Outbox(socket, new RateLimit(4, 2, System.nanoTime()), timer, System::nanoTime, failure::set);

    for (int i = 0; i < 5; i++) {
      outbox.send("m" + i, null);
    }
    assertThat(socket.sent()).containsExactly("m0", "m1");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (socket.sent().size() < 5 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(socket.sent()).containsExactly("m0", "m1", "m2", "m3", "m4");
  }

  @Test
  void aCloseGoesAfterWhatWasQueuedAndEndsTheOutbox() {
    socket.completeImmediately = true;
    Outbox outbox = new Outbox(socket, new RateLimit(0, 1, 0), timer, System::nanoTime, failure::set);

    outbox.send("leave", null);
    outbox.closeWhenSent();
    outbox.send("too late", null);

    assertThat(socket.texts).containsExactly("leave");
    assertThat(socket.closes).isEqualTo(1);
  }

  @Test
  void aFailedWriteDropsTheRestAndIsReported() {
    Outbox outbox = new Outbox(socket, new RateLimit(0, 1, 0), timer, System::nanoTime, failure::set);

    outbox.send("a", null);
    outbox.send("b", null);
    socket.failLast(new java.io.IOException("broken pipe"));

    assertThat(failure.get()).hasMessage("broken pipe");
    assertThat(socket.texts).containsExactly("a");
    assertThat(outbox.queued()).isZero();
  }

  /** A WebSocket that records what is sent and completes writes when told to. */
  static final class RecordingSocket implements WebSocket {
    final List<String> texts = new ArrayList<>();
    final List<CompletableFuture<WebSocket>> writes = new ArrayList<>();
    boolean completeImmediately;
    int closes;

    /** What was sent so far, read under the lock the timer's sends take. */
    synchronized List<String> sent() {
      return List.copyOf(texts);
    }

    void completeLast() {
      writes.get(writes.size() - 1).complete(this);
    }

    void failLast(Throwable error) {
      writes.get(writes.size() - 1).completeExceptionally(error);
    }

    @Override
    public synchronized CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
      if (!writes.isEmpty() && !writes.get(writes.size() - 1).isDone()) {
        throw new IllegalStateException("Send pending");
      }
      texts.add(data.toString());
      CompletableFuture<WebSocket> f = completeImmediately ? CompletableFuture.completedFuture(this) : new CompletableFuture<>();
      writes.add(f);
      return f;
    }

    @Override
    public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
      closes++;
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
      return closes > 0;
    }

    @Override
    public boolean isInputClosed() {
      return false;
    }

    @Override
    public void abort() {}
  }
}
