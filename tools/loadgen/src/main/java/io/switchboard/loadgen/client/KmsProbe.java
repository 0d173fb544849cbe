package io.switchboard.loadgen.client;

import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The floor under every KMS operation, measured while a run goes on: a JSON-RPC {@code ping} (the
 * one kurento-client keeps its session alive with) to the media server, one at a time, every
 * {@code interval}, each answer's round trip handed to {@code roundTrips} in nanoseconds. Nothing
 * is created on KMS.
 */
public final class KmsProbe implements AutoCloseable {

  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

  private final WebSocket socket;
  private final LongConsumer roundTrips;
  private final AtomicLong nextId = new AtomicLong();
  /** The id of the ping in flight and when it was sent; 0: none. Guarded by this. */
  private long inFlightId;
  private long sentAt;
  private final StringBuilder text = new StringBuilder();
  private volatile ScheduledFuture<?> ticks;

  private KmsProbe(WebSocket socket, LongConsumer roundTrips) {
    this.socket = socket;
    this.roundTrips = roundTrips;
  }

  /**
   * Connects to {@code kmsUrl} ({@code ws://host:8888/kurento}) and starts pinging; fails with a
   * message naming the URL when the media server cannot be reached.
   */
  public static KmsProbe start(WebSockets sockets, URI kmsUrl, Duration interval, LongConsumer roundTrips) {
    KmsProbe[] probe = new KmsProbe[1];
    // probe[0] is set before the first ping is sent, so before any answer.
    WebSocket socket = connect(sockets, kmsUrl, (data, last) -> probe[0].answered(data, last));
    probe[0] = new KmsProbe(socket, roundTrips);
    probe[0].ticks = sockets.timer().scheduleAtFixedRate(probe[0]::ping, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    return probe[0];
  }

  /**
   * A WebSocket to the media server whose text frames go to {@code text}; fails with a message
   * naming {@code --kms-url} when it cannot be reached within 10 s.
   */
  static WebSocket connect(WebSockets sockets, URI kmsUrl, BiConsumer<CharSequence, Boolean> text) {
    try {
      return sockets.open(kmsUrl, new WebSocket.Listener() {
        @Override
        public void onOpen(WebSocket ws) {
          ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
          text.accept(data, last);
          ws.request(1);
          return null;
        }
      }).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to " + kmsUrl, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalArgumentException("--kms-url " + kmsUrl + ": cannot connect to the media server ("
          + (e.getCause() != null ? e.getCause() : e) + ")", e);
    }
  }

  private void ping() {
    long id;
    synchronized (this) {
      if (inFlightId != 0) {
        return; // the last one is not answered yet: one at a time, so the probe adds no load of its own
      }
      id = nextId.incrementAndGet();
      inFlightId = id;
      sentAt = System.nanoTime();
    }
    socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\",\"params\":{\"interval\":240000}}",
        true);
  }

  private void answered(CharSequence data, boolean last) {
    long now = System.nanoTime();
    String message;
    synchronized (this) {
      text.append(data);
      if (!last) {
        return;
      }
      message = text.toString();
      text.setLength(0);
    }
    Matcher m = ID.matcher(message);
    if (!m.find()) {
      return; // an event, not an answer
    }
    long id = Long.parseLong(m.group(1));
    long took;
    synchronized (this) {
      if (id != inFlightId) {
        return;
      }
      took = now - sentAt;
      inFlightId = 0;
    }
    roundTrips.accept(took);
  }

  @Override
  public void close() {
    ticks.cancel(false);
    socket.abort();
  }
}
