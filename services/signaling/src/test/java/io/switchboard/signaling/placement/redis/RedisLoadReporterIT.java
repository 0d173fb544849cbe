package io.switchboard.signaling.placement.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.testing.RedisFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Load reports against a real redis-server running placement's script: queued, added together, none lost. */
class RedisLoadReporterIT {

  @RegisterExtension
  static final RedisFixture redis = new RedisFixture();

  @BeforeEach
  void placed() {
    redis.flush();
    redis.template.opsForHash().putAll(PlacementKeys.room("r"),
        Map.of("nodeId", "kms-0", "expected", "0", "reported", "0", "participants", "0"));
    redis.template.opsForHash().putAll(PlacementKeys.room("s"),
        Map.of("nodeId", "kms-0", "expected", "0", "reported", "0", "participants", "0"));
  }

  private static Map<Object, Object> room(String roomId) {
    return redis.template.opsForHash().entries(PlacementKeys.room(roomId));
  }

  private static long scriptRuns() {
    String stats = redis.template.execute((org.springframework.data.redis.core.RedisCallback<String>) c ->
        String.valueOf(c.serverCommands().info("commandstats")));
    long runs = 0;
    for (String command : List.of("evalsha", "eval")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_" + command + "=calls=(\\d+)").matcher(stats);
      if (m.find()) {
        runs += Long.parseLong(m.group(1));
      }
    }
    return runs;
  }

  /** Runs what is handed to it only when told: what queues up meanwhile is what one send carries. */
  static final class HeldExecutor extends AbstractExecutorService {
    final List<Runnable> tasks = new ArrayList<>();
    boolean shutdown;

    @Override
    public synchronized void execute(Runnable command) {
      tasks.add(command);
    }

    synchronized List<Runnable> take() {
      List<Runnable> taken = new ArrayList<>(tasks);
      tasks.clear();
      return taken;
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return take();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  @Test
  void reportsThatQueueUpWhileOneIsSentGoAsOnePerRoom() {
    HeldExecutor sender = new HeldExecutor();
    RedisLoadReporter reporter = new RedisLoadReporter(redis.template, sender);
    // Loaded already, so that each report is one EVALSHA (the first would be a NOSCRIPT, then EVAL).
    redis.template.execute((org.springframework.data.redis.core.RedisCallback<String>) c ->
        c.scriptingCommands().scriptLoad(io.switchboard.placement.contract.LoadReport.SCRIPT.getBytes(
            java.nio.charset.StandardCharsets.UTF_8)));
    long before = scriptRuns();

    for (int i = 0; i < 25; i++) {
      reporter.report("r", "kms-0", 1, 1);
      reporter.report("r", "kms-0", 24, 0);
    }
    reporter.report("s", "kms-0", 3, 1);
    reporter.report("s", "kms-0", -3, -1); // nothing left to say about s

    assertThat(room("r")).containsEntry("reported", "0");
    List<Runnable> sends = sender.take();
    assertThat(sends).as("one send on its way, whatever queued behind it").hasSize(1);
    sends.forEach(Runnable::run);

    assertThat(room("r")).containsEntry("reported", "625").containsEntry("participants", "25");
    assertThat(room("s")).containsEntry("reported", "0").containsEntry("participants", "0");
    assertThat(scriptRuns() - before).isEqualTo(1);
    assertThat(redis.template.opsForHash().get(PlacementKeys.node("kms-0"), "endpoints")).isEqualTo("625");
  }

  @Test
  void reportsFromManyThreadsAllArriveAndClosingSendsWhatIsQueued() throws Exception {
    RedisLoadReporter reporter = new RedisLoadReporter(redis.template);
    List<Thread> reporters = new ArrayList<>();
    for (int n = 0; n < 8; n++) {
      Thread t = new Thread(() -> {
        for (int i = 0; i < 100; i++) {
          reporter.report("r", "kms-0", 2, 1);
        }
      });
      t.start();
      reporters.add(t);
    }
    for (Thread t : reporters) {
      t.join();
    }
    reporter.close();
    reporter.report("s", "kms-0", 5, 2); // after closing: sent on the caller's thread

    assertThat(room("r")).containsEntry("reported", "1600").containsEntry("participants", "800");
    assertThat(room("s")).containsEntry("reported", "5").containsEntry("participants", "2");
  }
}
