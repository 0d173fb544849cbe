package io.switchboard.kms.emulator;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar kms-emulator.jar --port 8888 [options]}: runs one emulated KMS until killed.
 */
public final class Main {

  private static final String USAGE = """
      Usage: java -jar kms-emulator.jar [options]
        --port N                 WebSocket port (default 8888; 0 = any free port)
        --host ADDR              bind address (default 127.0.0.1)
        --admin-port N           fault-injection HTTP port (default: off; 0 = any free port)
        --capacity N             most media objects alive at once; create beyond fails with 40009
        --cpu-count N            what getCpuCount reports (default 4)
        --cpu-idle P             getUsedCpu with nothing alive, percent of one core (default 0)
        --cpu-per-pipeline P     cost of each pipeline, percent of one core (default 1.0)
        --cpu-per-endpoint P     cost of each element, percent of one core (default 2.5)
        --gc-period DURATION     garbage collector period, e.g. 240s, 500ms (default 240s)
        --request-cache-ttl D    how long KMS replays a repeated (session, id); 0 = off (default 20s)
        --candidate-address IP   address of the ICE host candidates (default 127.0.0.1)
        --log-level LEVEL        INFO (default) or DEBUG: one line per RPC
        --help
      """;

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    EmulatorConfig config;
    String logLevel = "INFO";
    try {
      config = EmulatorConfig.defaults().withPort(8888);
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--help") || arg.equals("-h")) {
          System.out.print(USAGE);
          return;
        }
        String name = arg;
        String value;
        int eq = arg.indexOf('=');
        if (eq > 0) {
          name = arg.substring(0, eq);
          value = arg.substring(eq + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException("missing value for " + arg);
        }
        config = switch (name) {
          case "--port" -> config.withPort(Integer.parseInt(value));
          case "--host" -> config.withHost(value);
          case "--admin-port" -> config.withAdminPort(Integer.parseInt(value));
          case "--capacity" -> config.withCapacity(Integer.parseInt(value));
          case "--cpu-count" -> config.withCpuModel(Integer.parseInt(value), config.idleCpu(),
              config.cpuPerPipeline(), config.cpuPerEndpoint());
          case "--cpu-idle" -> config.withCpuModel(config.cpuCount(), Double.parseDouble(value),
              config.cpuPerPipeline(), config.cpuPerEndpoint());
          case "--cpu-per-pipeline" -> config.withCpuModel(config.cpuCount(), config.idleCpu(),
              Double.parseDouble(value), config.cpuPerEndpoint());
          case "--cpu-per-endpoint" -> config.withCpuModel(config.cpuCount(), config.idleCpu(),
              config.cpuPerPipeline(), Double.parseDouble(value));
          case "--gc-period" -> config.withGcPeriod(duration(value));
          case "--request-cache-ttl" -> config.withRequestCacheTtl(duration(value));
          case "--candidate-address" -> config.withCandidateAddress(value);
          case "--log-level" -> {
            logLevel = value.toUpperCase(java.util.Locale.ROOT);
            yield config;
          }
          default -> throw new IllegalArgumentException("unknown option " + name);
        };
      }
    } catch (IllegalArgumentException e) {
      System.err.println("kms-emulator: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    // Chosen before any logger exists; the file is not named logback.xml so that a host
    // application embedding the emulator keeps its own logging configuration.
    System.setProperty("kms.log.level", logLevel);
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "kms-emulator-logback.xml");
    }

    KmsEmulator emulator = KmsEmulator.start(config);
    emulator.onExit(() -> Runtime.getRuntime().halt(1));
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      emulator.close();
      done.countDown();
    }, "kms-emulator-shutdown"));
    System.out.println("KMS emulator listening on " + emulator.url()
        + emulator.adminPort().map(p -> " (admin http://" + emulator.config().host() + ":" + p + ")").orElse(""));
    System.out.flush();
    done.await();
  }

  /** {@code 240s}, {@code 500ms}, {@code 2m}, or a bare number of seconds. */
  static Duration duration(String text) {
    String t = text.trim();
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      if (t.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(t));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a duration: " + text);
    }
  }
}
