package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.client.ClientContext;
import io.switchboard.loadgen.client.Connector;
import io.switchboard.loadgen.client.KmsFloor;
import io.switchboard.loadgen.client.KmsProbe;
import io.switchboard.loadgen.client.SimulatedParticipant;
import io.switchboard.loadgen.media.Candidates;
import io.switchboard.loadgen.media.OfferFactory;
import io.switchboard.loadgen.metrics.Latency;
import io.switchboard.loadgen.metrics.ProgressLine;
import io.switchboard.loadgen.metrics.Report;
import io.switchboard.loadgen.metrics.ReportWriter;
import io.switchboard.loadgen.metrics.RunMetrics;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The machinery every scenario shares: the participants, their sockets and counters, the clock
 * joins and leaves are scheduled on, the progress line, waiting until everything has settled (or
 * timed out), and the report at the end.
 */
final class LoadRun implements AutoCloseable {

  private final String scenario;
  private final RunSettings settings;
  private final Map<String, Object> parameters = new LinkedHashMap<>();
  private final Connector connector;
  private final RunMetrics metrics = new RunMetrics();
  private final ClientContext ctx;
  private final List<SimulatedParticipant> participants = new ArrayList<>();
  /** When the run's clock started: once the probes are up and the planned offers made. */
  private long startedAt;
  private final Instant startedWall;
  private final List<ScheduledFuture<?>> repeating = new ArrayList<>();
  private long plannedParticipants;
  private long expectedStreams;
  private boolean dropsExpected;
  private RunMetrics.Snapshot lastSnapshot;
  private long lastSnapshotAt;
  private KmsProbe kmsProbe;
  private KmsFloor kmsFloor;
  private ScheduledExecutorService floorThread;
  private Connector probeConnector;
  private static final Duration KMS_PROBE_INTERVAL = Duration.ofMillis(10);
  private static final Duration KMS_FLOOR_INTERVAL = Duration.ofMillis(100);
  /** At most this many offers of each kind are made before the clock starts (about 5 KB each). */
  private static final long PREPARED_OFFERS_MAX = 20_000;

  LoadRun(String scenario, RunSettings settings) {
    this.scenario = scenario;
    this.settings = settings;
    this.connector = new Connector(settings.threads(), settings.client().connectTimeout());
    SplittableRandom random = new SplittableRandom(settings.seed());
    this.ctx = new ClientContext(connector, settings.client(), metrics, new OfferFactory(random.split()),
        new Candidates(random.split()), System::nanoTime);
    this.startedAt = System.nanoTime();
    this.startedWall = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    this.lastSnapshot = metrics.snapshot();
    this.lastSnapshotAt = startedAt;
    var client = settings.client();
    parameter("urls", client.urls().stream().map(Object::toString).toList());
    parameter("timeout", client.timeout().toString());
    parameter("candidatesPerStream", client.candidatesPerStream());
    parameter("maxMessagesPerSecond", client.messagesPerSecond());
    parameter("messageBurst", client.messageBurst());
    parameter("resumeWindow", client.resumeWindow().toString());
    parameter("threads", settings.threads());
    parameter("seed", settings.seed());
    if (settings.kmsUrl() != null) {
      parameter("kmsUrl", settings.kmsUrl().toString());
    }
    if (settings.redisUrl() != null) {
      // Host and port only: a password in the URL stays out of the reports.
      URI redis = settings.redisUrl();
      parameter("redisUrl", redis.getHost() + ":" + (redis.getPort() > 0 ? redis.getPort() : 6379));
    }
  }

  void parameter(String key, Object value) {
    parameters.put(key, value);
  }

  /** How many participants and streams the scenario means to end with (0 streams: whatever is offered). */
  void expect(long participants, long streams) {
    this.plannedParticipants = participants;
    this.expectedStreams = streams;
  }

  /** Sockets closing under the participants is what this scenario provokes, not a problem. */
  void dropsExpected() {
    this.dropsExpected = true;
  }

  RunMetrics metrics() {
    return metrics;
  }

  long now() {
    return System.nanoTime();
  }

  SimulatedParticipant add(String name, String room, boolean negotiate) {
    synchronized (participants) {
      SimulatedParticipant p = new SimulatedParticipant(ctx, participants.size(), name, room, negotiate);
      participants.add(p);
      return p;
    }
  }

  List<SimulatedParticipant> participants() {
    synchronized (participants) {
      return List.copyOf(participants);
    }
  }

  /** Runs {@code action} on the timer, {@code at} after the run started. */
  void at(Duration at, Runnable action) {
    long delay = startedAt + at.toNanos() - System.nanoTime();
    connector.timer().schedule(guarded(action), Math.max(0, delay), TimeUnit.NANOSECONDS);
  }

  /** Sleeps until {@code at} after the run started. */
  void sleepUntil(Duration at) {
    sleep(Duration.ofNanos(startedAt + at.toNanos() - System.nanoTime()));
  }

  static void sleep(Duration d) {
    if (d.isNegative() || d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startedAt);
  }

  /** The progress line every second, and keep-alive pings when asked for. */
  void start() {
    if (settings.kmsUrl() != null) {
      // Its own client, thread and timer: the participants' backlog in this process is not the floor.
      probeConnector = new Connector(1, settings.client().connectTimeout());
      kmsProbe = KmsProbe.start(probeConnector, settings.kmsUrl(), KMS_PROBE_INTERVAL,
          nanos -> metrics.record(RunMetrics.Timing.KMS_ROUND_TRIP, nanos));
      floorThread = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loadgen-floor");
        t.setDaemon(true);
        return t;
      });
      kmsFloor = KmsFloor.start(probeConnector, floorThread, settings.kmsUrl(), settings.redisUrl(),
          KMS_FLOOR_INTERVAL, new SplittableRandom(settings.seed() ^ 0x5DEECE66DL),
          settings.client().candidatesPerStream(),
          nanos -> metrics.record(RunMetrics.Timing.JOIN_FLOOR, nanos),
          nanos -> metrics.record(RunMetrics.Timing.OFFER_FLOOR, nanos));
    }
    if (expectedStreams > 0) {
      ctx.offers().prepare((int) Math.min(plannedParticipants, PREPARED_OFFERS_MAX),
          (int) Math.min(Math.max(0, expectedStreams - plannedParticipants), PREPARED_OFFERS_MAX));
    }
    startedAt = System.nanoTime();
    lastSnapshotAt = startedAt;
    if (settings.progress()) {
      repeating.add(connector.timer().scheduleAtFixedRate(guarded(this::printProgress), 1, 1, TimeUnit.SECONDS));
    }
    Duration ping = settings.client().pingInterval();
    if (!ping.isZero() && !ping.isNegative()) {
      repeating.add(connector.timer().scheduleAtFixedRate(guarded(() -> participants().forEach(
          SimulatedParticipant::ping)), ping.toMillis(), ping.toMillis(), TimeUnit.MILLISECONDS));
    }
  }

  private void printProgress() {
    long now = System.nanoTime();
    RunMetrics.Snapshot snapshot = metrics.snapshot();
    settings.console().println(ProgressLine.format((now - startedAt) / 1e9, snapshot, lastSnapshot,
        (now - lastSnapshotAt) / 1e9, plannedParticipants, expectedStreams,
        metrics.latency(RunMetrics.Timing.JOIN), metrics.latency(RunMetrics.Timing.OFFER_ANSWER)));
    lastSnapshot = snapshot;
    lastSnapshotAt = now;
  }

  /**
   * Waits until no participant waits for anything that may still come in time (a join, a resume,
   * an answer), giving up on what is overdue; at most {@code atMost}.
   */
  boolean awaitQuiet(Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (true) {
      long now = System.nanoTime();
      boolean busy = false;
      for (SimulatedParticipant p : participants()) {
        p.expireOverdue(now);
        busy |= p.busy(now);
      }
      if (!busy) {
        return true;
      }
      if (now > deadline) {
        return false;
      }
      sleep(Duration.ofMillis(100));
    }
  }

  /** The longest a participant may take to be done with everything it started. */
  Duration quietBound() {
    var c = settings.client();
    return c.connectTimeout().plus(c.timeout()).plus(c.timeout()).plus(c.resumeWindow()).plusSeconds(10);
  }

  /** Everyone leaves; sockets still open after {@code grace} are dropped. */
  private void leaveAll(Duration grace) {
    List<SimulatedParticipant> all = participants();
    all.forEach(SimulatedParticipant::leave);
    long deadline = System.nanoTime() + grace.toNanos();
    while (metrics.snapshot().open() > 0 && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(50));
    }
    all.forEach(SimulatedParticipant::abort);
  }

  /**
   * Builds the report (before anyone leaves: a leave would turn streams still waiting into
   * cancelled ones), lets everyone leave, writes the report when a directory was given and prints
   * its summary.
   */
  RunResult finish(Report.Failover failover) {
    repeating.forEach(f -> f.cancel(false));
    if (settings.progress()) {
      printProgress();
    }
    Report report = report(failover);
    leaveAll(Duration.ofSeconds(5));
    ReportWriter writer = new ReportWriter();
    ReportWriter.Written files = settings.out() == null ? null : writer.write(report, settings.out());
    settings.console().println(summary(report, files));
    return new RunResult(report, files);
  }

  Report report(Report.Failover failover) {
    long end = System.nanoTime();
    RunMetrics.Snapshot s = metrics.snapshot();
    long unsettled = participants().stream().mapToLong(SimulatedParticipant::unsettled).sum();
    long expected = expectedStreams > 0 ? expectedStreams : s.offered();
    long missing = Math.max(0, expected - s.offered());
    double seconds = (end - startedAt) / 1e9;
    Double toAllSettled = unsettled == 0 && missing == 0 && s.failed() == 0 && s.settled() > 0
        ? round((s.lastSettledAt() - startedAt) / 1e9) : null;
    Map<String, Latency> latency = new LinkedHashMap<>();
    for (RunMetrics.Timing t : RunMetrics.Timing.values()) {
      latency.put(t.key, metrics.latency(t));
    }
    Report.Throughput throughput = new Report.Throughput(
        rate(s.joined(), s.firstJoinSentAt(), s.lastJoinedAt()),
        rate(s.settled(), s.firstOfferAt(), s.lastSettledAt()),
        s.sent(), s.received(), s.candidatesReceived(), round(s.sent() / seconds), round(s.received() / seconds));
    Report.Streams streams = new Report.Streams(expected, s.offered(), s.settled(), s.late(), s.failed(),
        s.cancelled(), unsettled, missing, toAllSettled);
    Report.Participants people = new Report.Participants(plannedParticipants, s.joined(), s.joinFailed(), s.left(), s.dropped(),
        s.resumed(), s.resumeFailed(), s.mediaMoved());
    Report.Sockets sockets = new Report.Sockets(s.socketsOpened(), s.connectFailed(), s.closedUnexpectedly(),
        s.peakOpen(), s.open());
    List<String> problems = problems(people, streams, sockets, failover);
    return new Report(scenario, settings.runId(), startedWall.toString(), round(seconds), problems.isEmpty(),
        problems, new LinkedHashMap<>(parameters), people, streams,
        sockets, latency, throughput, metrics.errors(), failover);
  }

  private List<String> problems(Report.Participants p, Report.Streams s, Report.Sockets k, Report.Failover f) {
    List<String> problems = new ArrayList<>();
    String timeout = settings.client().timeout().toString();
    if (k.connectFailed() > 0) {
      problems.add(k.connectFailed() + " socket(s) failed to connect");
    }
    if (p.joinFailed() > 0) {
      problems.add(p.joinFailed() + " of " + p.planned() + " participant(s) did not join");
    }
    if (s.failed() > 0) {
      problems.add(s.failed() + " stream(s) refused with an error");
    }
    if (s.unsettled() > 0) {
      problems.add(s.unsettled() + " stream(s) got no answer within " + timeout);
    }
    if (s.late() > 0) {
      problems.add(s.late() + " stream(s) settled later than " + timeout);
    }
    if (s.missing() > 0) {
      problems.add(s.missing() + " expected stream(s) never offered (a participant did not join, or an arrival was never announced)");
    }
    if (p.resumeFailed() > 0) {
      problems.add(p.resumeFailed() + " participant(s) did not resume");
    }
    if (f != null && f.participantsNotBack() > 0) {
      problems.add(f.participantsNotBack() + " dropped participant(s) not back after the kill");
    }
    if (!dropsExpected && k.closedUnexpectedly() > 0) {
      problems.add(k.closedUnexpectedly() + " socket(s) closed unexpectedly");
    }
    return problems;
  }

  private static double rate(long count, long from, long to) {
    if (count == 0 || from == Long.MAX_VALUE || to == Long.MIN_VALUE || to <= from) {
      return 0;
    }
    return round(count / ((to - from) / 1e9));
  }

  static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  private static String summary(Report r, ReportWriter.Written files) {
    StringBuilder s = new StringBuilder();
    s.append(r.ok() ? "OK" : "FAILED").append(": ").append(r.scenario()).append(' ').append(r.runId()).append(" — ");
    if (r.participants().joined() + r.participants().joinFailed() == 0) {
      // Sockets that join nothing (idle).
      s.append(r.sockets().opened()).append(" sockets opened, ").append(r.sockets().openAtEnd())
          .append(" open at the end");
    } else {
      s.append(r.participants().joined()).append('/').append(r.participants().planned()).append(" joined");
    }
    if (r.streams().expected() > 0) {
      s.append(", ").append(r.streams().settled()).append('/').append(r.streams().expected()).append(" streams settled");
    }
    Latency connect = r.latency().get("connect");
    if (r.streams().expected() == 0 && connect.count() > 0) {
      s.append(String.format(java.util.Locale.ROOT, "; connect p50/p99 %.1f/%.1f ms", connect.p50(), connect.p99()));
    }
    Latency join = r.latency().get("join");
    Latency answer = r.latency().get("offerAnswer");
    if (join.count() > 0) {
      s.append(String.format(java.util.Locale.ROOT, "; join p50/p99 %.1f/%.1f ms", join.p50(), join.p99()));
    }
    if (answer.count() > 0) {
      s.append(String.format(java.util.Locale.ROOT, "; offer→answer p50/p99 %.1f/%.1f ms", answer.p50(), answer.p99()));
    }
    Latency arrival = r.latency().get("arrival");
    if (arrival != null && arrival.count() > 0) {
      s.append(String.format(java.util.Locale.ROOT, "; others told p50/p99 %.1f/%.1f ms", arrival.p50(),
          arrival.p99()));
    }
    Latency kms = r.latency().get("kmsRoundTrip");
    if (kms != null && kms.count() > 0) {
      s.append(String.format(java.util.Locale.ROOT, "; KMS round trip p50/p99 %.2f/%.2f ms", kms.p50(), kms.p99()));
    }
    for (String floor : List.of("joinFloor", "offerFloor")) {
      Latency f = r.latency().get(floor);
      if (f != null && f.count() > 0) {
        s.append(String.format(java.util.Locale.ROOT, "; %s p50/p99 %.2f/%.2f ms", floor, f.p50(), f.p99()));
      }
    }
    if (r.streams().secondsToAllSettled() != null) {
      s.append("; all settled after ").append(r.streams().secondsToAllSettled()).append(" s");
    }
    r.problems().forEach(p -> s.append("\n  - ").append(p));
    if (files != null) {
      s.append("\nreports: ").append(files.json()).append(", ").append(files.markdown());
    }
    return s.toString();
  }

  private Runnable guarded(Runnable action) {
    return () -> {
      try {
        action.run();
      } catch (RuntimeException e) {
        metrics.error("loadgen-bug");
        settings.console().println("loadgen: " + e);
      }
    };
  }

  @Override
  public void close() {
    if (kmsProbe != null) {
      kmsProbe.close();
    }
    if (floorThread != null) {
      floorThread.shutdownNow();
      try {
        floorThread.awaitTermination(5, TimeUnit.SECONDS); // a chain in flight, before its socket closes
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (kmsFloor != null) {
      kmsFloor.close();
    }
    if (probeConnector != null) {
      probeConnector.close();
    }
    repeating.forEach(f -> f.cancel(false));
    participants().forEach(SimulatedParticipant::abort);
    connector.close();
  }
}
