package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.launchers.KafkaBroker;
import io.switchboard.launchers.LoopbackPorts;
import io.switchboard.launchers.RedisServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every image built by a real Docker engine from the repository's Dockerfiles, and run as users run
 * them: read-only root file system, a memory limit, the management port apart, secure mode — against
 * this test's real Redis and Kafka, with the KMS emulator's own image as the media server. A group
 * call goes through the containerised gateway and signaling pod to the emulator, and its presence
 * reaches the containerised state service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImagesIT {

  /** The four services' images and their ports, as the Helm chart and compose file use them. */
  static final Map<String, Integer> SERVICES = Map.of("gateway", 8080, "signaling", 8081, "placement", 8090, "state", 8092);
  static final String TAG = "it";
  static final long MEMORY_LIMIT = 512L * 1024 * 1024;
  /** Image builds run side by side: each waits on the engine and the disk much of its time. */
  static final int BUILDS_AT_ONCE = 2;
  /**
   * How often the engine runs each container's HEALTHCHECK (the images' own 10 s would hold the
   * health test up). Each check starts a JVM (~0.6 CPU-s): at 1–2 s the five containers' checks took
   * about one of the two cores while the services started.
   */
  static final String HEALTH_INTERVAL = "5s";

  static final String API_KEY = "images-it-api-key";
  static final String TOKEN_SECRET = "images-it-token-secret-at-least-32-bytes";
  static final String IDENTITY_SECRET = "images-it-identity-secret-of-32-bytes+";
  /** switchboard.service-token of all four containers (placement and state refuse /v1 without it). */
  static final String SERVICE_TOKEN = "images-it-service-token-0123456789abcdef";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  private Docker docker;
  private RedisServerProcess redis;
  private KafkaBroker kafka;
  /** container name → its ports. */
  private final Map<String, Ports> containers = new LinkedHashMap<>();

  record Ports(int server, int management) {}

  @BeforeAll
  void buildAndStartEverything() {
    docker = Docker.engine();
    String base = docker.localBase();
    // The images are built BUILDS_AT_ONCE at a time, and this JVM starts Redis and Kafka meanwhile.
    ExecutorService building = Executors.newFixedThreadPool(BUILDS_AT_ONCE);
    List<Future<?>> builds = new ArrayList<>();
    builds.add(building.submit(() -> docker.build("docker/kms-emulator.Dockerfile", image("kms-emulator"),
        "BASE_IMAGE=" + base)));
    SERVICES.forEach((service, port) -> builds.add(building.submit(() -> docker.build("docker/service.Dockerfile",
        image(service), "BASE_IMAGE=" + base, "SERVICE=" + service, "PORT=" + port))));
    building.shutdown();
    Throwable failed = null;
    try {
      redis = RedisServerProcess.start();
      kafka = KafkaBroker.start();
    } catch (RuntimeException | Error e) {
      failed = e;
    }
    // Every build ends (each within its own time limit) before anything is reported or run.
    for (Future<?> build : builds) {
      try {
        build.get();
      } catch (ExecutionException e) {
        failed = Failures.add(failed, e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed = Failures.add(failed, e);
      }
    }
    Failures.rethrow(failed);

    int kmsPort = LoopbackPorts.free();
    docker.run(container("kms-emulator"), List.of("--read-only", "--memory", "256m",
        "--health-interval", HEALTH_INTERVAL,
        "-e", "HEALTHCHECK_URL=tcp://127.0.0.1:" + kmsPort), image("kms-emulator"),
        "--port", String.valueOf(kmsPort), "--host", "127.0.0.1");
    containers.put(container("kms-emulator"), new Ports(kmsPort, -1));

    Ports placement = start("placement", Map.of(
        "SWITCHBOARD_PLACEMENT_NODES", "ws://127.0.0.1:" + kmsPort + "/kurento"));
    Ports state = start("state", Map.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()));
    Ports signaling = start("signaling", Map.of(
        "SPRING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "SWITCHBOARD_PLACEMENT_URL", "http://127.0.0.1:" + placement.server(),
        "SWITCHBOARD_SIGNALING_POD_ID", "signaling-" + run,
        "SWITCHBOARD_SIGNALING_REQUIRE_IDENTITY", "true",
        "SWITCHBOARD_SIGNALING_IDENTITY_SECRET", IDENTITY_SECRET));
    start("gateway", Map.of(
        "SWITCHBOARD_GATEWAY_MODE", "secure",
        "SWITCHBOARD_GATEWAY_TOKENS_SECRET", TOKEN_SECRET,
        "SWITCHBOARD_GATEWAY_IDENTITY_SECRET", IDENTITY_SECRET,
        "SWITCHBOARD_GATEWAY_API_KEYS", API_KEY,
        "SWITCHBOARD_GATEWAY_PLACEMENT_URL", "http://127.0.0.1:" + placement.server(),
        "SWITCHBOARD_GATEWAY_STATE_URL", "http://127.0.0.1:" + state.server(),
        // Pods are health-checked where their actuator is: the management port, as in the chart.
        "SPRING_CLOUD_LOADBALANCER_HEALTHCHECK_PORT", String.valueOf(signaling.management())),
        "--spring.cloud.discovery.client.simple.instances.signaling[0].uri=http://127.0.0.1:" + signaling.server());

    for (String service : List.of("placement", "state", "signaling", "gateway")) {
      awaitReady(service);
    }
  }

  /** Starts a service's container as the chart runs it; its readiness is awaited later. */
  private Ports start(String service, Map<String, String> env, String... args) {
    Ports ports = new Ports(LoopbackPorts.free(), LoopbackPorts.free());
    Map<String, String> all = new LinkedHashMap<>(env);
    all.put("SERVER_PORT", String.valueOf(ports.server()));
    all.put("SERVER_ADDRESS", LoopbackPorts.HOST);
    all.put("MANAGEMENT_SERVER_PORT", String.valueOf(ports.management()));
    all.put("MANAGEMENT_SERVER_ADDRESS", LoopbackPorts.HOST);
    all.put("SPRING_DATA_REDIS_URL", redis.url());
    all.put("SWITCHBOARD_SERVICE_TOKEN", SERVICE_TOKEN);
    List<String> options = new ArrayList<>(List.of("--read-only", "--tmpfs", "/tmp:rw,size=64m",
        "--memory", String.valueOf(MEMORY_LIMIT), "--health-interval", HEALTH_INTERVAL, "--health-start-period", "120s"));
    all.forEach((k, v) -> options.addAll(List.of("-e", k + "=" + v)));
    docker.run(container(service), options, image(service), args);
    containers.put(container(service), ports);
    return ports;
  }

  private void awaitReady(String service) {
    Ports ports = containers.get(container(service));
    try {
      await(service + " ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
          .until(() -> {
            assertThat(docker.inspect(container(service), "{{.State.Running}}"))
                .as(service + " exited:\n" + docker.logs(container(service))).isEqualTo("true");
            return status(get("http://127.0.0.1:" + ports.management() + "/actuator/health/readiness")) == 200;
          });
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError(service + " never became ready:\n" + docker.logs(container(service)), e);
    }
  }

  @AfterAll
  void stopEverything() throws IOException {
    if (docker != null) {
      recordImageSizes();
      docker.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void everyContainerRunsAsItsNonRootUserOnAReadOnlyRootFileSystem() throws IOException {
    for (String name : containers.keySet()) {
      assertThat(docker.inspect(name, "{{.Config.User}}")).as(name).isEqualTo("10001:10001");
      assertThat(docker.inspect(name, "{{.HostConfig.ReadonlyRootfs}}")).as(name).isEqualTo("true");
      // What the kernel says of the running process, not what the image claims.
      String pid = docker.inspect(name, "{{.State.Pid}}");
      String uids = Files.readAllLines(Path.of("/proc", pid, "status")).stream()
          .filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow();
      assertThat(uids.split("\\s+")).as(name + " " + uids).containsExactly("Uid:", "10001", "10001", "10001", "10001");
    }
  }

  @Test
  void everyContainersOwnHealthcheckReportsItHealthy() {
    for (String name : containers.keySet()) {
      await(name + " healthy").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
          .until(() -> docker.inspect(name, "{{.State.Health.Status}}"), "healthy"::equals);
    }
  }

  @Test
  void actuatorAnswersOnlyOnTheManagementPort() {
    for (String service : SERVICES.keySet()) {
      Ports ports = containers.get(container(service));
      assertThat(status(get("http://127.0.0.1:" + ports.management() + "/actuator/prometheus"))).as(service).isEqualTo(200);
      int onPublicPort = status(get("http://127.0.0.1:" + ports.server() + "/actuator/prometheus"));
      assertThat(onPublicPort).as(service + " /actuator on its public port").isIn(401, 403, 404);
    }
  }

  @Test
  void theHeapFollowsTheContainersMemoryLimit() {
    for (String service : SERVICES.keySet()) {
      Ports ports = containers.get(container(service));
      String metrics = get("http://127.0.0.1:" + ports.management() + "/actuator/prometheus").body();
      double heapMax = metrics.lines().filter(l -> l.startsWith("jvm_memory_max_bytes{area=\"heap\""))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
      // MaxRAMPercentage=75 of the 512 MiB limit, give or take the collector's rounding.
      assertThat(heapMax).as(service + " max heap").isBetween(0.65 * MEMORY_LIMIT, 0.80 * MEMORY_LIMIT);
    }
  }

  @Test
  void aGroupCallGoesThroughTheContainerisedGatewayToTheEmulatorAndIntoThePresenceView() throws Exception {
    Ports gateway = containers.get(container("gateway"));
    String room = "images-" + run;
    try (GroupCallClient alice = new GroupCallClient(socketUrl(gateway, "alice", room), "alice");
         GroupCallClient bob = new GroupCallClient(socketUrl(gateway, "bob", room), "bob")) {
      assertThat(alice.join(room)).isEmpty();
      alice.publish();
      assertThat(bob.join(room)).containsExactly("alice");
      assertThat(alice.next("newParticipantArrived").path("name").asText()).isEqualTo("bob");
      bob.publish();
      bob.subscribe("alice");
      alice.subscribe("bob");

      // The room's presence went signaling → Kafka → state, read back through the gateway's API.
      await("the presence view").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        HttpResponse<String> view = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + gateway.server() + "/api/state/rooms/" + room))
            .header("X-Api-Key", API_KEY).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(view.statusCode()).as(view.body()).isEqualTo(200);
        assertThat(view.body()).contains("\"alice\"").contains("\"bob\"");
      });
      alice.leave();
      assertThat(bob.next("participantLeft").path("name").asText()).isEqualTo("alice");
    }
  }

  @Test
  void aBuildWithoutItsServiceNamedStopsWithWhatToPass() {
    Docker.Result result = Docker.exec(Duration.ofMinutes(2), "docker", "build", "--force-rm", "--network", "host",
        "-f", Repository.path("docker/service.Dockerfile").toString(),
        "--build-arg", "BASE_IMAGE=" + docker.localBase(), "-t", "switchboard-unnamed:" + TAG,
        Repository.root().toString());
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("build with --build-arg SERVICE=<gateway|signaling|placement|state> --build-arg PORT=<its port>");
  }

  /** A join token from the gateway's own token endpoint (a trusted back end's call). */
  private String socketUrl(Ports gateway, String name, String room) throws Exception {
    String body = GroupCallClient.JSON.createObjectNode().put("identity", name).put("room", room)
        .set("grants", GroupCallClient.JSON.createArrayNode().add("publish").add("subscribe")).toString();
    HttpResponse<String> issued = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.server() + "/api/tokens"))
        .header("X-Api-Key", API_KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    JsonNode token = GroupCallClient.JSON.readTree(issued.body());
    return "ws://127.0.0.1:" + gateway.server() + "/groupcall?access_token="
        + URLEncoder.encode(token.path("token").asText(), StandardCharsets.UTF_8);
  }

  /** Image sizes and containers' memory as the engine reports them, for docs/benchmarks.md. */
  private void recordImageSizes() throws IOException {
    StringBuilder report = new StringBuilder("image\tsize (MB)\tapplication layer (kB)\n");
    for (String name : List.of("gateway", "signaling", "placement", "state", "kms-emulator")) {
      long size = Long.parseLong(docker.inspect(image(name), "{{.Size}}"));
      report.append(image(name)).append('\t').append(size / 1_000_000).append('\t')
          .append(name.equals("kms-emulator") ? "n/a" : String.valueOf(applicationLayerKb(image(name)))).append('\n');
    }
    // And what each container holds in memory after the call (512 MiB limit, heap at most 75 %), all
    // in one sample: each docker stats --no-stream waits for a second reading.
    report.append("\ncontainer\tmemory in use / limit\n");
    List<String> stats = new ArrayList<>(List.of("docker", "stats", "--no-stream", "--format",
        "{{.Name}}\t{{.MemUsage}}"));
    stats.addAll(containers.keySet());
    Map<String, String> memory = new LinkedHashMap<>();
    Docker.Result sampled = Docker.exec(Duration.ofSeconds(30), stats.toArray(String[]::new));
    sampled.output().lines().map(line -> line.split("\t", 2)).filter(fields -> fields.length == 2)
        .forEach(fields -> memory.put(fields[0].trim(), fields[1].trim()));
    for (String name : containers.keySet()) {
      report.append(name).append('\t')
          .append(memory.getOrDefault(name, "? (" + sampled.trimmed().replace('\n', ' ') + ")")).append('\n');
    }
    Path file = Path.of("target", "image-sizes.tsv");
    Files.writeString(file, report);
    System.out.println("[ImagesIT] image sizes (" + file.toAbsolutePath() + "):\n" + report);
  }

  @Test
  void theApplicationsOwnCodeIsASmallLayerOfItsOwn() {
    for (String service : SERVICES.keySet()) {
      // Rebuilding after a code change ships this layer only; the dependencies' layer stays cached.
      assertThat(applicationLayerKb(image(service))).as(service + " application layer (kB)").isBetween(1L, 5_000L);
    }
  }

  private long applicationLayerKb(String image) {
    Docker.Result history = Docker.exec(Duration.ofSeconds(30), "docker", "history", "--no-trunc", "--human=false",
        "--format", "{{.Size}}\t{{.CreatedBy}}", image);
    // The newest COPY of a directory is the application layer (docker/service.Dockerfile copies it last).
    return history.output().lines().filter(l -> l.contains(" COPY dir:"))
        .mapToLong(l -> Long.parseLong(l.substring(0, l.indexOf('\t'))) / 1000).findFirst().orElse(-1);
  }

  private HttpResponse<String> get(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int status(HttpResponse<?> response) {
    return response == null ? -1 : response.statusCode();
  }

  private static String image(String name) {
    return "switchboard-" + name + ":" + TAG;
  }

  private String container(String name) {
    return "sb-" + name + "-" + run;
  }
}
