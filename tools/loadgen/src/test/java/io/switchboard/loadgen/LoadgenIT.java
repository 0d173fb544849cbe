package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.launchers.KmsEmulatorProcess;
import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.launchers.ServiceProcess;
import io.switchboard.loadgen.metrics.Report;
import io.switchboard.loadgen.scenario.Failover;
import io.switchboard.loadgen.scenario.JoinStorm;
import io.switchboard.loadgen.scenario.RunResult;
import io.switchboard.loadgen.scenario.RunSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * loadgen against the real thing, all on loopback: redis-server, a KMS emulator, the placement
 * service and signaling pods, each its own process from its jar. Counts are asserted, never times.
 */
class LoadgenIT {

  private static RedisServerProcess redis;
  private static KmsEmulatorProcess kms;
  private static ServiceProcess placement;
  private static ServiceProcess signaling;

  @TempDir
  Path out;

  /** What signaling presents to placement, which requires it. */
  static final String SERVICE_TOKEN = "--switchboard.service-token=loadgen-it-service-token-0123456789abcdef";

  @BeforeAll
  static void start() {
    redis = RedisServerProcess.start();
    kms = KmsEmulatorProcess.start();
    placement = ServiceProcess.start("placement", "--spring.data.redis.url=" + redis.url(),
        "--switchboard.placement.nodes=" + kms.url(), SERVICE_TOKEN);
    signaling = startPod("pod-a");
  }

  private static ServiceProcess startPod(String id) {
    return ServiceProcess.start("signaling", "--spring.data.redis.url=" + redis.url(),
        "--switchboard.placement.url=" + placement.baseUrl(), "--switchboard.presence.enabled=false",
        "--switchboard.signaling.require-identity=false", "--switchboard.signaling.pod-id=" + id, SERVICE_TOKEN);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {signaling, placement, kms, redis}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        System.err.println("stopping " + c + ": " + e);
      }
    }
  }

  private RunSettings settings(ServiceProcess... pods) {
    List<URI> urls = java.util.Arrays.stream(pods)
        .map(p -> URI.create("ws://127.0.0.1:" + p.port() + "/groupcall")).toList();
    return RunSettings.defaults(urls).withOut(out).withClient(RunSettings.defaults(urls).client()
        .withTimeout(Duration.ofSeconds(20)));
  }

  @Test
  void aJoinStormSettlesEveryStreamAndReportsIt() throws Exception {
    RunResult result = JoinStorm.of(settings(signaling), 2, 3, Duration.ZERO, Duration.ZERO).run();

    Report r = result.report();
    assertThat(r.problems()).isEmpty();
    assertThat(r.ok()).isTrue();
    assertThat(result.exitCode()).isZero();
    assertThat(r.participants().joined()).isEqualTo(6);
    assertThat(r.streams().expected()).isEqualTo(18); // 2 rooms of 3: 3² each
    assertThat(r.streams().offered()).isEqualTo(18);
    assertThat(r.streams().settled()).isEqualTo(18);
    assertThat(r.streams().unsettled()).isZero();
    assertThat(r.streams().secondsToAllSettled()).isNotNull();
    assertThat(r.latency().get("join").count()).isEqualTo(6);
    assertThat(r.latency().get("offerAnswer").count()).isEqualTo(18);
    // KMS trickles its candidates for every endpoint it answered for.
    assertThat(r.throughput().iceCandidatesReceived()).isPositive();
    assertThat(r.errors()).isEmpty();

    JsonNode json = JsonMapper.builder().build().readTree(Files.readString(result.files().json()));
    assertThat(json.path("scenario").asString()).isEqualTo("join-storm");
    assertThat(json.path("streams").path("settled").asLong()).isEqualTo(18);
    assertThat(json.path("participants").path("planned").asLong()).isEqualTo(6);
    assertThat(json.path("latency").path("offerAnswer").path("count").asLong()).isEqualTo(18);
    assertThat(Files.readString(result.files().markdown()))
        .contains("**OK**", "| 18 | 18 | 18 | 0 | 0 | 0 | 0 | 0 |");
  }

  @Test
  void aBigRoomSettlesNSquaredStreams() throws Exception {
    // Held a second once settled: the floor's chains (one every 100 ms) go on meanwhile.
    RunResult result = JoinStorm.bigRoom(settings(signaling).withKmsUrl(URI.create(kms.url()))
        .withRedisUrl(URI.create(redis.url())), 5, Duration.ofSeconds(1)).run();

    Report r = result.report();
    assertThat(r.problems()).isEmpty();
    assertThat(r.participants().joined()).isEqualTo(5);
    assertThat(r.streams().expected()).isEqualTo(25);
    assertThat(r.streams().settled()).isEqualTo(25);
    // The floor, measured in the same run: KMS's answer to a bare JSON-RPC ping.
    assertThat(r.latency().get("kmsRoundTrip").count()).isPositive();
    assertThat(r.latency().get("kmsRoundTrip").p50()).isPositive();
    assertThat(r.parameters()).containsEntry("kmsUrl", kms.url());
    // And the floor under a join and an offer: the same KMS calls by raw JSON-RPC plus a Redis PING,
    // each answered (an error would lose the sample).
    assertThat(r.latency().get("joinFloor").count()).isPositive();
    assertThat(r.latency().get("offerFloor").count()).isPositive();
    assertThat(r.latency().get("offerFloor").p50()).isGreaterThan(r.latency().get("kmsRoundTrip").p50());
    JsonNode json = JsonMapper.builder().build().readTree(Files.readString(result.files().json()));
    assertThat(json.path("scenario").asString()).isEqualTo("big-room");
    assertThat(json.path("streams").path("settled").asLong()).isEqualTo(25);
    assertThat(json.path("latency").path("kmsRoundTrip").path("count").asLong()).isPositive();
    assertThat(json.path("latency").path("offerFloor").path("count").asLong()).isPositive();
    assertThat(Files.readString(result.files().markdown())).contains("KMS JSON-RPC ping → pong (the floor)",
        "floor of an offer");
  }

  @Test
  void aMediaServerThatCannotBeReachedIsNamedBeforeAnythingRuns() {
    int closed = io.switchboard.launchers.LoopbackPorts.free();
    URI nowhere = URI.create("ws://127.0.0.1:" + closed + "/kurento");

    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            JoinStorm.bigRoom(settings(signaling).withKmsUrl(nowhere), 2, Duration.ZERO).run())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--kms-url " + nowhere).hasMessageContaining("cannot connect");
  }

  @Test
  void participantsOfAKilledPodResumeOnTheOtherOne() {
    try (ServiceProcess doomed = startPod("pod-b")) {
      // Participants alternate between the pods; those on pod-b reconnect to pod-a and resume.
      Failover failover = new Failover(settings(signaling, doomed), 1, 4, Duration.ZERO, Duration.ofSeconds(1),
          "SIGKILL pod-b", () -> {
            doomed.kill();
            return null;
          });

      Report r = failover.run().report();

      assertThat(r.problems()).isEmpty();
      assertThat(r.streams().settled()).isEqualTo(16);
      assertThat(r.failover().participantsDropped()).isEqualTo(2);
      assertThat(r.failover().participantsResumed()).isEqualTo(2);
      assertThat(r.failover().participantsNotBack()).isZero();
      assertThat(r.participants().resumed()).isEqualTo(2);
      assertThat(r.latency().get("killToResumed").count()).isEqualTo(2);
      assertThat(r.latency().get("resume").count()).isEqualTo(2);
    }
  }
}
