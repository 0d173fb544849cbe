package io.switchboard.loadgen.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Everything a run counts and times, written by many participants' threads at once. Latencies go
 * into HdrHistograms in microseconds (up to an hour, 3 significant digits); counts are adders.
 */
public final class RunMetrics {

  /** The latencies a run measures, by the name the reports use. */
  public enum Timing {
    /** TCP connect and WebSocket handshake, until the socket is open. */
    CONNECT("connect"),
    /** {@code joinRoom} sent → {@code existingParticipants} received. */
    JOIN("join"),
    /** {@code receiveVideoFrom} sent → its {@code receiveVideoAnswer} received. */
    OFFER_ANSWER("offerAnswer"),
    /**
     * A participant's {@code joinRoom} sent → its {@code newParticipantArrived} received by another
     * participant of the room (one value per other participant told): how soon the room hears of a join.
     */
    ARRIVAL("arrival"),
    /** {@code resume} sent → {@code resumed} received. */
    RESUME("resume"),
    /** The socket dropped (or {@code reconnect} arrived) → {@code resumed} received. */
    RECOVERY("recovery"),
    /** The kill command started → {@code resumed} received (failover only). */
    KILL_TO_RESUMED("killToResumed"),
    /**
     * A JSON-RPC {@code ping} to KMS answered ({@code --kms-url}, one at a time every 10 ms during
     * the run): the floor under every media operation, measured under the run's load.
     */
    KMS_ROUND_TRIP("kmsRoundTrip"),
    /**
     * A join's KMS calls (create endpoint, subscribe to its candidates) made one after another by
     * raw JSON-RPC, plus one Redis PING ({@code --kms-url}, {@code --redis-url}): what a join
     * would cost with nothing else in the way.
     */
    JOIN_FLOOR("joinFloor"),
    /**
     * A subscription's KMS calls before its answer (create endpoint, subscribe, connect, the
     * candidates, processOffer) one after another by raw JSON-RPC, plus one Redis PING.
     */
    OFFER_FLOOR("offerFloor");

    public final String key;

    Timing(String key) {
      this.key = key;
    }
  }

  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  private final Map<Timing, Histogram> histograms = new java.util.EnumMap<>(Timing.class);
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  /** Room and name → when that participant's latest joinRoom was sent. */
  private final Map<String, Long> joinSentAt = new ConcurrentHashMap<>();

  private final LongAdder socketsOpened = new LongAdder();
  private final LongAdder connectFailed = new LongAdder();
  private final LongAdder closedUnexpectedly = new LongAdder();
  private final AtomicLong open = new AtomicLong();
  private final AtomicLong peakOpen = new AtomicLong();
  private final LongAdder joinsSent = new LongAdder();
  private final LongAdder joined = new LongAdder();
  private final LongAdder joinFailed = new LongAdder();
  private final LongAdder left = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder resumed = new LongAdder();
  private final LongAdder resumeFailed = new LongAdder();
  private final LongAdder offered = new LongAdder();
  private final LongAdder settled = new LongAdder();
  private final LongAdder late = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final LongAdder mediaMoved = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder candidatesReceived = new LongAdder();
  private final AtomicLong firstJoinSent = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastJoined = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong firstOffer = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastSettled = new AtomicLong(Long.MIN_VALUE);

  public RunMetrics() {
    for (Timing t : Timing.values()) {
      histograms.put(t, new ConcurrentHistogram(1, HIGHEST_MICROS, 3));
    }
  }

  public void record(Timing timing, long nanos) {
    histograms.get(timing).recordValue(Math.min(HIGHEST_MICROS, Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos))));
  }

  public Latency latency(Timing timing) {
    return Latency.of(histograms.get(timing).copy());
  }

  /** An {@code error} from the server, or a client-side failure (e.g. {@code connect-failed}, {@code close-1011}). */
  public void error(String code) {
    errors.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  /** Errors by code, sorted by code. */
  public Map<String, Long> errors() {
    Map<String, Long> sorted = new TreeMap<>();
    errors.forEach((code, n) -> sorted.put(code, n.sum()));
    return sorted;
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public void socketOpened(long connectNanos) {
    socketsOpened.increment();
    record(Timing.CONNECT, connectNanos);
    peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
  }

  public void socketClosed(boolean expected, String why) {
    open.decrementAndGet();
    if (!expected) {
      closedUnexpectedly.increment();
      error(why);
    }
  }

  public void connectFailed(String why) {
    connectFailed.increment();
    error(why);
  }

  /** {@code name}'s joinRoom for {@code room} went out at {@code at}. */
  public void joinSent(String room, String name, long at) {
    joinsSent.increment();
    firstJoinSent.accumulateAndGet(at, Math::min);
    joinSentAt.put(key(room, name), at);
  }

  /**
   * A participant of {@code room} was told at {@code at} that {@code name} arrived; timed from
   * that name's latest joinRoom, if this run sent one (a participant of another process is not).
   */
  public void arrivalTold(String room, String name, long at) {
    Long sent = joinSentAt.get(key(room, name));
    if (sent != null && at >= sent) {
      record(Timing.ARRIVAL, at - sent);
    }
  }

  private static String key(String room, String name) {
    return room + '\n' + name;
  }

  public void joined(long at, long nanos) {
    joined.increment();
    record(Timing.JOIN, nanos);
    lastJoined.accumulateAndGet(at, Math::max);
  }

  public void joinFailed() {
    joinFailed.increment();
  }

  public void left() {
    left.increment();
  }

  public void dropped() {
    dropped.increment();
  }

  public void resumed(long resumeNanos, long recoveryNanos) {
    resumed.increment();
    record(Timing.RESUME, resumeNanos);
    record(Timing.RECOVERY, recoveryNanos);
  }

  public void resumeFailed() {
    resumeFailed.increment();
  }

  public void offered(long at) {
    offered.increment();
    firstOffer.accumulateAndGet(at, Math::min);
  }

  public void settled(long at, long nanos, boolean late) {
    settled.increment();
    if (late) {
      this.late.increment();
    }
    record(Timing.OFFER_ANSWER, nanos);
    lastSettled.accumulateAndGet(at, Math::max);
  }

  public void streamFailed() {
    failed.increment();
  }

  public void cancelled() {
    cancelled.increment();
  }

  public void mediaMoved() {
    mediaMoved.increment();
  }

  public void sent() {
    sent.increment();
  }

  public void received() {
    received.increment();
  }

  public void candidateReceived() {
    candidatesReceived.increment();
  }

  /** The counters now, for the progress line and the report. */
  public Snapshot snapshot() {
    return new Snapshot(socketsOpened.sum(), connectFailed.sum(), closedUnexpectedly.sum(), open.get(), peakOpen.get(),
        joinsSent.sum(), joined.sum(), joinFailed.sum(), left.sum(), dropped.sum(), resumed.sum(), resumeFailed.sum(),
        offered.sum(), settled.sum(), late.sum(), failed.sum(), cancelled.sum(), mediaMoved.sum(), sent.sum(),
        received.sum(), candidatesReceived.sum(), errorCount(), firstJoinSent.get(), lastJoined.get(),
        firstOffer.get(), lastSettled.get());
  }

  /** Counters at one moment; instants are {@link System#nanoTime()} values (MAX/MIN_VALUE: never). */
  public record Snapshot(long socketsOpened, long connectFailed, long closedUnexpectedly, long open, long peakOpen,
      long joinsSent, long joined, long joinFailed, long left, long dropped, long resumed, long resumeFailed,
      long offered, long settled, long late, long failed, long cancelled, long mediaMoved, long sent, long received,
      long candidatesReceived, long errors, long firstJoinSentAt, long lastJoinedAt, long firstOfferAt,
      long lastSettledAt) {}
}
