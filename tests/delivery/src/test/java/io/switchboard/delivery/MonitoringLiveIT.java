package io.switchboard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.delivery.MonitoringFiles.Rule;
import io.switchboard.delivery.MonitoringFiles.Target;
import io.switchboard.launchers.KafkaBroker;
import io.switchboard.testing.KmsEmulatorFleet;
import io.switchboard.launchers.LoopbackPorts;
import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.launchers.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dashboards and rules against the real thing: a real Prometheus scrapes the four services
 * (their jars, actuator on a management port as the chart runs them, with a real Redis, a real
 * Kafka broker and a KMS emulator) while a group call runs through the gateway, and every panel's
 * and every rule's expression is evaluated through Prometheus's HTTP API. Each parses; each panel
 * a call fills returns a value; no alert fires. A meter renamed in code breaks this test.
 *
 * <p>Panel expressions get {@link MonitoringFiles#VARIABLES} for Grafana's variables.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringLiveIT {

  private static final String API_KEY = "monitoring-live-api-key";
  /** switchboard.service-token of all four services (placement and state refuse /v1 without it). */
  private static final String SERVICE_TOKEN = "monitoring-live-service-token-0123456789";
  private static final Duration SETTLE = Duration.ofSeconds(30);

  /** Panels that show failures only: a healthy call leaves them empty. */
  private static final Map<String, String> PANELS_EMPTY_WHILE_HEALTHY = Map.of(
      "switchboard-overview / Failures", "KMS request failures, refused rooms, failed upgrades",
      "switchboard-gateway / Failed upgrades and idle closes", "no pod fails its handshake; no socket idles 75 s",
      "switchboard-placement / Refused rooms", "every room finds capacity",
      "switchboard-placement / Failed health polls by node", "the KMS emulator answers every poll",
      "switchboard-placement / Rooms evacuated", "no node is lost or drained",
      "switchboard-placement / API server errors", "no 5xx",
      "switchboard-state / API server errors", "no 5xx");
  /** Alerts whose expression may return series in a healthy system: none. */
  private static final Map<String, String> ALERTS_ACTIVE_WHILE_HEALTHY = Map.of();
  /** Recording rules a healthy call may leave without a value: none. */
  private static final Map<String, String> RULES_EMPTY_WHILE_HEALTHY = Map.of();
  /** Meters Micrometer registers at their first event, which a healthy call does not have. */
  private static final Map<String, String> METERS_REGISTERED_ON_FIRST_EVENT = Map.of(
      "switchboard_gateway_idle_closes_total", "the first socket closed for idling",
      "switchboard_placement_evacuated_rooms_total", "the first node lost or drained past its deadline");

  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)");

  private final List<AutoCloseable> running = new CopyOnWriteArrayList<>();
  private final List<GroupCallClient> participants = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Path directory;
  private LivePrometheus prometheus;
  private Ports gateway;

  private record Ports(int server, int management) {
    static Ports free() {
      return new Ports(LoopbackPorts.free(), LoopbackPorts.free());
    }

    String target() {
      return LoopbackPorts.HOST + ":" + management;
    }
  }

  @BeforeAll
  void startSwitchboardPrometheusAndACall() throws Exception {
    long started = System.nanoTime();
    directory = emptied(Path.of("target", "monitoring-live").toAbsolutePath());
    RedisServerProcess redis = track(RedisServerProcess.start());
    KafkaBroker kafka = track(KafkaBroker.start());
    KmsEmulatorFleet kms = track(KmsEmulatorFleet.start(1));
    Ports placement = Ports.free();
    Ports state = Ports.free();
    Ports signaling = Ports.free();
    gateway = Ports.free();

    ExecutorService starting = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> services = List.of(
          starting.submit(() -> start("placement", placement, "--spring.data.redis.url=" + redis.url(),
              "--switchboard.placement.nodes=" + kms.urlList())),
          // The consumer's per-partition meters are bound at Micrometer's next look after the
          // partitions are assigned: every 5 s here rather than every minute (see call()).
          starting.submit(() -> start("state", state, "--spring.data.redis.url=" + redis.url(),
              "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
              "--switchboard.state.kafka-metrics-refresh=5s")),
          starting.submit(() -> start("signaling", signaling, "--spring.data.redis.url=" + redis.url(),
              "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
              "--switchboard.placement.url=http://127.0.0.1:" + placement.server(),
              "--switchboard.signaling.pod-id=signaling-0", "--switchboard.signaling.require-identity=false")));
      for (Future<?> service : services) {
        service.get();
      }
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      starting.shutdown();
    }
    // The gateway after a ready signaling pod: its first health check passes, so no socket of
    // this test is ever refused with no-pod (which the alerts would rightly report).
    start("gateway", gateway, "--spring.data.redis.url=" + redis.url(),
        "--spring.cloud.discovery.client.simple.instances.signaling[0].uri=http://127.0.0.1:" + signaling.server(),
        // Pods are health-checked where their actuator is: the management port, as in the chart.
        "--spring.cloud.loadbalancer.health-check.port=" + signaling.management(),
        "--switchboard.gateway.placement-url=http://127.0.0.1:" + placement.server(),
        "--switchboard.gateway.state-url=http://127.0.0.1:" + state.server(),
        "--switchboard.gateway.api-keys=" + API_KEY);

    warmUp();
    Map<String, Map<String, String>> targets = new LinkedHashMap<>();
    Map.of("gateway", gateway, "signaling", signaling, "placement", placement, "state", state).forEach((name, ports) ->
        targets.put(ports.target(), Map.of("namespace", MonitoringFiles.LIVE_NAMESPACE, "pod", name + "-0")));
    prometheus = track(LivePrometheus.start(directory.resolve("prometheus"), MonitoringFiles.RULES, targets));
    awaitValue("every service scraped three times",
        "(min(count_over_time(up[1m])) >= bool 3) * (count(up == 1) == bool 4)", 1);

    call();
    System.out.printf("MonitoringLiveIT: services, Prometheus and the call ready in %d s%n",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
  }

  /**
   * Before Prometheus scrapes: one participant in a room of its own, who leaves, a refused message,
   * a refused API call and the APIs. A meter Micrometer creates at its first event then exists
   * before the first scrape, so the call's events show in rates (a rate needs two samples of a
   * series); and the JVMs' cold first requests stay out of the latency percentiles, as they stay
   * out of a production Prometheus's windows minutes after a deployment.
   */
  private void warmUp() {
    try (GroupCallClient early = new GroupCallClient(groupcall(), "early")) {
      early.join("warm-up");
      early.publish();
      misbehaveAndUseTheApis();
      early.leave();
    }
  }

  /** The call Prometheus watches: two rooms, three participants, and the same misbehaviour. */
  private void call() {
    GroupCallClient alice = participant("alice", "standup");
    alice.publish();
    GroupCallClient bob = participant("bob", "standup");
    bob.publish();
    bob.subscribe("alice");
    alice.subscribe("bob");
    GroupCallClient carol = participant("carol", "retro");
    carol.publish();
    misbehaveAndUseTheApis();

    awaitValue("participants", "sum(switchboard_signaling_participants{service=\"signaling\"})", 3);
    awaitValue("refused messages", "sum(switchboard_signaling_errors_total{code=\"unknown-id\"})", 2);
    awaitValue("refused API calls", "sum(switchboard_gateway_rejections_total{reason=\"api-key\"})", 2);
    awaitValue("state API calls", "sum(http_server_requests_seconds_count{service=\"state\",uri=\"/v1/rooms\"})", 2);
    awaitValue("placement API calls",
        "sum(http_server_requests_seconds_count{service=\"placement\",uri=\"/v1/nodes\"})", 2);
    awaitValue("rooms placed", "sum(switchboard_placement_decisions_total{outcome=\"placed\"})", 3);
    awaitValue("presence events applied", "sum(switchboard_state_events_total{outcome=\"applied\"}) >= bool 6", 1);
    // Micrometer binds a Kafka client's per-partition meters (records_lag) at its first refresh after
    // the partitions were assigned: within switchboard.state.kafka-metrics-refresh (5 s here, a
    // minute by default) of the state service's start.
    awaitValue("the state service's per-partition lag", Duration.ofSeconds(90),
        "count(kafka_consumer_fetch_manager_records_lag{service=\"state\"}) > bool 0", 1);
  }

  @Test
  void everyDashboardPanelParsesAndThoseACallFillsReturnAValue() {
    settled(() -> {
      List<String> problems = new ArrayList<>();
      for (Target t : MonitoringFiles.targets()) {
        String where = t.panelKey() + " [" + t.refId() + "]";
        JsonNode answer = prometheus.query(MonitoringFiles.substitute(t.expr()));
        if (!answer.path("status").asText().equals("success")) {
          problems.add(where + " does not evaluate: " + answer.path("error").asText() + "\n  " + t.expr());
        } else if (!PANELS_EMPTY_WHILE_HEALTHY.containsKey(t.panelKey()) && !hasValue(answer)) {
          problems.add(where + " returns no series with a value: " + t.expr());
        }
      }
      return problems;
    });
  }

  @Test
  void everyRuleParsesRecordingRulesReturnAValueAndNoAlertExpressionReturnsSeries() {
    settled(() -> {
      List<String> problems = new ArrayList<>();
      for (Rule rule : MonitoringFiles.rules()) {
        JsonNode answer = prometheus.query(rule.expr());
        if (!answer.path("status").asText().equals("success")) {
          problems.add(rule.name() + " does not evaluate: " + answer.path("error").asText());
        } else if (rule.alert() && !answer.path("data").path("result").isEmpty()
            && !ALERTS_ACTIVE_WHILE_HEALTHY.containsKey(rule.name())) {
          problems.add("alert " + rule.name() + " would fire: " + answer.path("data").path("result"));
        } else if (!rule.alert() && !hasValue(answer) && !RULES_EMPTY_WHILE_HEALTHY.containsKey(rule.name())) {
          problems.add("recording rule " + rule.name() + " has no value: " + answer.path("data").path("result"));
        }
      }
      return problems;
    });
  }

  @Test
  void prometheusEvaluatesEveryRuleWithoutErrorAndNoAlertIsPendingOrFiring() {
    int expected = MonitoringFiles.rules().size();
    settled(() -> {
      List<String> problems = new ArrayList<>();
      int loaded = 0;
      for (JsonNode group : prometheus.rules().path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          loaded++;
          String name = rule.path("name").asText();
          if (!rule.path("health").asText().equals("ok")) {
            problems.add(name + " health " + rule.path("health").asText() + ": " + rule.path("lastError").asText());
          }
          if (rule.path("type").asText().equals("alerting") && !rule.path("state").asText().equals("inactive")
              && !ALERTS_ACTIVE_WHILE_HEALTHY.containsKey(name)) {
            problems.add("alert " + name + " is " + rule.path("state").asText() + ": " + rule.path("alerts"));
          }
        }
      }
      if (loaded != expected) {
        problems.add("Prometheus loaded " + loaded + " rules, the file has " + expected);
      }
      return problems;
    });
  }

  @Test
  void everyMeterTheRulesAndDashboardsSelectIsExportedByTheServices() {
    Set<String> recorded = new LinkedHashSet<>();
    Set<String> selected = new LinkedHashSet<>();
    for (Rule rule : MonitoringFiles.rules()) {
      if (!rule.alert()) {
        recorded.add(rule.name());
      }
      selected.addAll(MonitoringFiles.selectedMetrics(rule.expr()));
    }
    MonitoringFiles.targets().forEach(t -> selected.addAll(MonitoringFiles.selectedMetrics(t.expr())));
    selected.removeAll(recorded);
    assertThat(selected).as("meters the rules and dashboards use").hasSizeGreaterThan(30)
        .containsAll(METERS_REGISTERED_ON_FIRST_EVENT.keySet());

    settled(() -> {
      Set<String> exported = new LinkedHashSet<>(prometheus.labelValues("__name__", "{job=\"switchboard\"}"));
      return selected.stream().filter(m -> !exported.contains(m) && !METERS_REGISTERED_ON_FIRST_EVENT.containsKey(m))
          .map(m -> m + " is not exported by any service").toList();
    });
  }

  @Test
  void theNamespaceVariableFindsTheTargetsNamespace() {
    for (JsonNode dashboard : MonitoringFiles.dashboards().values()) {
      for (JsonNode variable : dashboard.path("templating").path("list")) {
        if (!variable.path("name").asText().equals("namespace")) {
          continue;
        }
        Matcher query = LABEL_VALUES.matcher(variable.path("definition").asText());
        assertThat(query.matches()).as(dashboard.path("uid") + " namespace variable: label_values(selector, label)")
            .isTrue();
        assertThat(prometheus.labelValues(query.group(2), query.group(1)))
            .as(dashboard.path("uid") + " namespace values").contains(MonitoringFiles.LIVE_NAMESPACE);
      }
    }
  }

  @Test
  void theHealthyExceptionsNameRealPanelsRulesAndMeters() {
    Set<String> panels = new LinkedHashSet<>();
    MonitoringFiles.targets().forEach(t -> panels.add(t.panelKey()));
    List<Rule> rules = MonitoringFiles.rules();

    assertThat(panels).containsAll(PANELS_EMPTY_WHILE_HEALTHY.keySet());
    assertThat(rules.stream().filter(Rule::alert).map(Rule::name)).containsAll(ALERTS_ACTIVE_WHILE_HEALTHY.keySet());
    assertThat(rules.stream().filter(r -> !r.alert()).map(Rule::name)).containsAll(RULES_EMPTY_WHILE_HEALTHY.keySet());
  }

  @AfterAll
  void stopEverything() {
    participants.forEach(GroupCallClient::close);
    List<AutoCloseable> reversed = new ArrayList<>(running);
    Collections.reverse(reversed);
    for (AutoCloseable thing : reversed) {
      try {
        thing.close();
      } catch (Exception e) {
        System.err.println("MonitoringLiveIT: stopping " + thing + " failed: " + e);
      }
    }
  }

  /** Polls {@code check} (the problems it finds) until it finds none, for at most {@link #SETTLE}. */
  private static void settled(Supplier<List<String>> check) {
    await().atMost(SETTLE).pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(check.get()).as("problems").isEmpty());
  }

  private void awaitValue(String what, String promql, double value) {
    awaitValue(what, SETTLE, promql, value);
  }

  private void awaitValue(String what, Duration atMost, String promql, double value) {
    await(what).atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      List<JsonNode> series = prometheus.series(promql);
      assertThat(series).as(promql).isNotEmpty();
      assertThat(series.get(0).path("value").path(1).asDouble()).as(promql).isEqualTo(value);
    });
  }

  /** A series with a number (not NaN: a quantile or ratio of nothing) in an instant query's answer. */
  private static boolean hasValue(JsonNode answer) {
    for (JsonNode series : answer.path("data").path("result")) {
      if (!Double.isNaN(series.path("value").path(1).asDouble(Double.NaN))) {
        return true;
      }
    }
    return false;
  }

  private GroupCallClient participant(String name, String room) {
    GroupCallClient client = new GroupCallClient(groupcall(), name);
    participants.add(client);
    client.join(room);
    return client;
  }

  private String groupcall() {
    return "ws://127.0.0.1:" + gateway.server() + "/groupcall";
  }

  /** A message the pods refuse (unknown-id), an API call the gateway refuses (api-key), the APIs. */
  private void misbehaveAndUseTheApis() {
    assertThat(refusal("{\"id\":\"bogus\"}")).contains("\"unknown-id\"");
    assertThat(status(HttpRequest.newBuilder(gatewayUri("/api/placement/nodes")))).isEqualTo(401);
    assertThat(status(HttpRequest.newBuilder(gatewayUri("/api/placement/nodes")).header("X-Api-Key", API_KEY)))
        .isEqualTo(200);
    assertThat(status(HttpRequest.newBuilder(gatewayUri("/api/state/rooms")))).isEqualTo(200);
  }

  /** Sends one frame on a socket of its own and returns the pod's error message. */
  private String refusal(String frame) {
    CompletableFuture<String> error = new CompletableFuture<>();
    WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(groupcall()), new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              if (text.indexOf("\"error\"") >= 0) {
                error.complete(text.toString());
              }
              text.setLength(0);
            }
            webSocket.request(1);
            return null;
          }
        }).orTimeout(10, TimeUnit.SECONDS).join();
    try {
      socket.sendText(frame, true).join();
      return error.orTimeout(10, TimeUnit.SECONDS).join();
    } finally {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }
  }

  private URI gatewayUri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.server() + path);
  }

  private int status(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A service from its jar, actuator on its management port; its log under this run's directory. */
  private ServiceProcess start(String service, Ports ports, String... settings) {
    Path log = directory.resolve(service + ".log");
    String[] all = Arrays.copyOf(settings, settings.length + 1);
    all[settings.length] = "--switchboard.service-token=" + SERVICE_TOKEN;
    try {
      return track(ServiceProcess.startWithManagementPort(service, ports.server(), ports.management(), log, all));
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + "\n" + tail(log), e);
    }
  }

  /** The run's directory (services' logs, Prometheus's configuration, log and data), emptied first. */
  private static Path emptied(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    return Files.createDirectories(dir);
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private <T extends AutoCloseable> T track(T thing) {
    running.add(thing);
    return thing;
  }
}
