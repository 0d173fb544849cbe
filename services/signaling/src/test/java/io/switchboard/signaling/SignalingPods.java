package io.switchboard.signaling;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Signaling pods started in this JVM, for tests with more than one. */
final class SignalingPods {

  /** Test timings: heartbeats every 250 ms, a pod dead after 2 s (15 s by default). */
  static final List<String> FAST_HEARTBEATS = List.of("--switchboard.signaling.heartbeat-interval=250ms",
      "--switchboard.signaling.heartbeat-timeout=2s");

  private SignalingPods() {}

  /** Tests talk to pods directly: open mode, unless the settings say how identities are verified. */
  static final String OPEN_MODE = "--switchboard.signaling.require-identity=false";

  /**
   * A pod on a free port, with Redis, placement and these settings ({@code --key=value}); in open
   * mode unless the settings name {@code require-identity} or {@code identity-secret}.
   */
  static ConfigurableApplicationContext start(String redisUrl, String placementUrl, String... settings) {
    List<String> all = new ArrayList<>(List.of(settings));
    if (all.stream().noneMatch(a -> a.contains("require-identity") || a.contains("identity-secret"))) {
      all.add(OPEN_MODE);
    }
    return startWithoutIdentitySettings(redisUrl, placementUrl, all.toArray(String[]::new));
  }

  /** A pod with only these settings, as a pod started without any identity setting is. */
  static ConfigurableApplicationContext startWithoutIdentitySettings(String redisUrl, String placementUrl,
      String... settings) {
    List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
        "--management.server.port=0", "--management.server.address=127.0.0.1",
        "--spring.data.redis.url=" + redisUrl, "--switchboard.placement.url=" + placementUrl,
        io.switchboard.testing.TestCredentials.SERVICE_TOKEN_SETTING));
    args.addAll(FAST_HEARTBEATS);
    if (java.util.Arrays.stream(settings).noneMatch(a -> a.contains("kms-warmup-rehearsals"))) {
      // Tests do not measure a pod's first burst: two KMS rehearsals, one rehearsal socket.
      args.add("--switchboard.signaling.kms-warmup-rehearsals=2");
    }
    args.addAll(List.of(settings));
    return new SpringApplicationBuilder(SignalingApplication.class).run(args.toArray(String[]::new));
  }

  static int port(ConfigurableApplicationContext pod) {
    return pod.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
  }

  /** Where the pod's actuator listens: a port of its own, as in production. */
  static int managementPort(ConfigurableApplicationContext pod) {
    return pod.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
  }

  static String url(ConfigurableApplicationContext pod) {
    return "ws://127.0.0.1:" + port(pod) + "/groupcall";
  }
}
