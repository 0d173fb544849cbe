package io.switchboard.loadgen.cli;

import io.switchboard.loadgen.client.ClientSettings;
import io.switchboard.loadgen.scenario.RunSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every scenario takes: where to connect, how clients behave, where reports go. */
public final class CommonOptions {

  @Option(names = "--url", required = true, paramLabel = "URL",
      description = "WebSocket URL of /groupcall: the gateway (ws://host:8080/groupcall) or a signaling pod "
          + "(ws://host:8081/groupcall). Repeat it to spread participants over several; a participant that "
          + "reconnects tries the next one.")
  List<URI> urls;

  @Option(names = "--no-room-query", negatable = false,
      description = "Do not add ?room=<room> to the URL (the gateway routes a room's sockets to one pod with it).")
  boolean noRoomQuery;

  @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long a join, a stream (offer → answer) or a resume may take before it counts as failed "
          + "(default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--candidates", defaultValue = "2", paramLabel = "N",
      description = "ICE candidates trickled (onIceCandidate) after each offer (default: ${DEFAULT-VALUE}).")
  int candidates;

  @Option(names = "--max-rate", defaultValue = "40", paramLabel = "PER_SECOND",
      description = "Messages per second a socket sends at most, so it stays under the pod's per-socket limit "
          + "(50/s, burst 200); 0: no limit (default: ${DEFAULT-VALUE}).")
  double maxRate;

  @Option(names = "--burst", defaultValue = "150", paramLabel = "N",
      description = "Messages a socket may send at once before --max-rate applies (default: ${DEFAULT-VALUE}).")
  int burst;

  @Option(names = "--connect-timeout", defaultValue = "10s", converter = DurationConverter.class,
      paramLabel = "DURATION", description = "TCP connect and WebSocket handshake (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(names = "--resume-window", defaultValue = "15s", converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "How long after a drop a participant keeps reconnecting to resume; match the pods' "
          + "switchboard.signaling.resume-grace (default: ${DEFAULT-VALUE}).")
  Duration resumeWindow;

  @Option(names = "--ping-interval", defaultValue = "0s", converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "Send a WebSocket ping on every socket this often; 0s: never, as browsers (pings from the "
          + "server are always answered) (default: ${DEFAULT-VALUE}).")
  Duration pingInterval;

  @Option(names = "--threads", defaultValue = "2", paramLabel = "N",
      description = "Threads running all sockets' listeners (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--out", defaultValue = "loadgen-reports", paramLabel = "DIR",
      description = "Where the JSON and Markdown reports are written, as <scenario>-<run id>.json/.md "
          + "(default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--quiet", negatable = false, description = "No progress line every second.")
  boolean quiet;

  @Option(names = "--seed", paramLabel = "N", description = "Random seed for offers and candidates (default: random).")
  Long seed;

  @Option(names = "--run-id", paramLabel = "ID",
      description = "Names this run's rooms (lg-<id>-r0…) and report files (default: 6 random characters).")
  String runId;

  @Option(names = "--kms-url", paramLabel = "URL",
      description = "Also measure, during the run, the media server's raw JSON-RPC round trip (a ping every 10 ms; "
          + "kmsRoundTrip) and the floor under a join and an offer: the same KMS calls made one after another "
          + "by raw JSON-RPC, plus one Redis PING with --redis-url (joinFloor, offerFloor; one chain every 100 ms, "
          + "on a pipeline of its own, released as it goes), e.g. ws://localhost:8888/kurento for the local "
          + "stack's emulator.")
  URI kmsUrl;

  @Option(names = "--redis-url", paramLabel = "URL",
      description = "The Redis the services use (redis://[[user]:password@]host[:port]): the floor under a join "
          + "and an offer includes one PING to it. Needs --kms-url.")
  URI redisUrl;

  RunSettings settings() {
    RunSettings defaults = RunSettings.defaults(urls);
    ClientSettings client = new ClientSettings(urls, !noRoomQuery, candidates, maxRate, burst, timeout,
        connectTimeout, resumeWindow, pingInterval);
    RunSettings s = defaults.withClient(client).withThreads(threads).withOut(out).withProgress(!quiet);
    if (seed != null) {
      s = s.withSeed(seed);
    }
    if (kmsUrl != null) {
      if (!"ws".equals(kmsUrl.getScheme()) && !"wss".equals(kmsUrl.getScheme())) {
        throw new IllegalArgumentException("--kms-url: a ws:// or wss:// URL, like ws://localhost:8888/kurento");
      }
      s = s.withKmsUrl(kmsUrl);
    }
    if (redisUrl != null) {
      if (kmsUrl == null) {
        throw new IllegalArgumentException("--redis-url: measured only as part of the floor, which needs --kms-url");
      }
      if (!"redis".equals(redisUrl.getScheme()) || redisUrl.getHost() == null) {
        throw new IllegalArgumentException("--redis-url: a redis:// URL, like redis://localhost:6379");
      }
      s = s.withRedisUrl(redisUrl);
    }
    if (runId != null) {
      if (!runId.matches("[A-Za-z0-9_-]{1,40}")) {
        throw new IllegalArgumentException("--run-id: 1–40 letters, digits, - or _");
      }
      s = s.withRunId(runId);
    }
    return s;
  }
}
