package io.switchboard.loadgen.client;

import java.net.http.WebSocket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * One socket's outgoing messages, in order, one in flight at a time (the JDK's WebSocket refuses a
 * second text message before the first is written), paced by a {@link RateLimit}. A message's
 * {@code onSent} learns when it is handed to the socket, so latencies exclude the pacing.
 */
final class Outbox {

  private record Item(String text, LongConsumer onSent, boolean close) {}

  private final WebSocket socket;
  private final RateLimit limit;
  private final ScheduledExecutorService timer;
  private final LongSupplier clock;
  private final Consumer<Throwable> onFailure;
  private final Deque<Item> queue = new ArrayDeque<>();
  private boolean sending;
  private boolean timerArmed;
  private boolean closed;

  Outbox(WebSocket socket, RateLimit limit, ScheduledExecutorService timer, LongSupplier clock,
      Consumer<Throwable> onFailure) {
    this.socket = socket;
    this.limit = limit;
    this.timer = timer;
    this.clock = clock;
    this.onFailure = onFailure;
  }

  void send(String text, LongConsumer onSent) {
    synchronized (this) {
      if (closed) {
        return;
      }
      queue.add(new Item(text, onSent, false));
    }
    pump();
  }

  /** A normal close (1000), after everything queued before it. */
  void closeWhenSent() {
    synchronized (this) {
      if (closed) {
        return;
      }
      queue.add(new Item(null, null, true));
    }
    pump();
  }

  /** Drops whatever is still queued: the socket is gone. */
  synchronized void discard() {
    closed = true;
    queue.clear();
  }

  synchronized int queued() {
    return queue.size();
  }

  private void pump() {
    while (true) {
      Item item;
      long now = clock.getAsLong();
      synchronized (this) {
        if (sending || timerArmed || closed || queue.isEmpty()) {
          return;
        }
        // A close needs no token: it ends the socket's traffic.
        long wait = queue.peek().close() ? 0 : limit.take(now);
        if (wait > 0) {
          timerArmed = true;
          timer.schedule(this::timerFired, wait, TimeUnit.NANOSECONDS);
          return;
        }
        item = queue.poll();
        sending = true;
        if (item.close()) {
          closed = true;
          queue.clear();
        }
      }
      if (item.onSent() != null) {
        // Before the hand-over: an answer may be read on another thread before sendText returns.
        item.onSent().accept(now);
      }
      CompletableFuture<WebSocket> written;
      try {
        written = item.close()
            ? socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye")
            : socket.sendText(item.text(), true);
      } catch (RuntimeException e) {
        written = CompletableFuture.failedFuture(e);
      }
      boolean closing = item.close();
      if (!written.isDone()) {
        written.whenComplete((w, error) -> written(closing ? null : error));
        return;
      }
      Throwable error = closing ? null : written.handle((w, e) -> e).getNow(null);
      synchronized (this) {
        sending = false;
      }
      if (error != null) {
        failed(error);
        return;
      }
    }
  }

  private void written(Throwable error) {
    synchronized (this) {
      sending = false;
    }
    if (error != null) {
      failed(error);
      return;
    }
    pump();
  }

  private void timerFired() {
    synchronized (this) {
      timerArmed = false;
    }
    pump();
  }

  private void failed(Throwable error) {
    discard();
    onFailure.accept(error);
  }
}
