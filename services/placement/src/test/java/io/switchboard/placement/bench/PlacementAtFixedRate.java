package io.switchboard.placement.bench;

import io.switchboard.placement.domain.KmsReading;
import io.switchboard.placement.domain.LeastLoadedSelector;
import io.switchboard.placement.domain.NodeSelector;
import io.switchboard.placement.domain.PowerOfTwoChoicesSelector;
import io.switchboard.placement.store.redis.RedisPlacementStore;
import io.switchboard.launchers.RedisServerProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Latency of placement decisions at a fixed offered rate (open loop: each request has an intended
 * start time, and latency is counted from it, so a stall is not hidden by coordinated omission),
 * against a real redis-server over 10 nodes; then the same for an EVALSHA of a no-op script, the
 * floor. Arguments: rate per second (20000), seconds (20), threads (16), strategy (least-loaded).
 */
public final class PlacementAtFixedRate {

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    String strategy = args.length > 3 ? args[3] : "least-loaded";
    NodeSelector selector = strategy.equals("power-of-two") ? new PowerOfTwoChoicesSelector() : new LeastLoadedSelector();

    try (RedisServerProcess redis = RedisServerProcess.start()) {
      LettuceConnectionFactory factory =
          new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
      factory.afterPropertiesSet();
      factory.start();
      StringRedisTemplate template = new StringRedisTemplate(factory);
      template.afterPropertiesSet();
      RedisPlacementStore store = new RedisPlacementStore(template);
      Instant now = Instant.now();
      for (int i = 0; i < 10; i++) {
        store.register("node-" + i, "ws://10.0.0." + i + ":8888/kurento", 1_000_000_000);
        store.recordHealth("node-" + i, now, new KmsReading(0.1 * (i % 3), 0, 0), 3);
      }
      AtomicLong rooms = new AtomicLong();
      Duration stale = Duration.ofHours(1);
      Consumer<Integer> place = t -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        store.place("room-" + rooms.incrementAndGet(), 4, now, stale, selector,
            new int[] {random.nextInt(Integer.MAX_VALUE), random.nextInt(Integer.MAX_VALUE)});
      };
      io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://" + redis.host() + ":" + redis.port());
      io.lettuce.core.api.sync.RedisCommands<String, String> raw = client.connect().sync();
      String noOpSha = raw.scriptLoad("return 1");
      Consumer<Integer> noOp = t -> raw.evalsha(noOpSha, io.lettuce.core.ScriptOutputType.INTEGER, new String[0]);

      raw.configSet("slowlog-log-slower-than", "2000");
      run("warm-up place", place, rate, 5, threads);
      Result placed = run("place (" + strategy + ")", place, rate, seconds, threads);
      run("warm-up evalsha no-op", noOp, rate, 3, threads);
      Result floor = run("evalsha no-op", noOp, rate, seconds, threads);
      System.out.println("redis commands slower than 2 ms: " + raw.slowlogLen());
      for (Object entry : raw.slowlogGet(5)) {
        System.out.println("  " + entry);
      }
      System.out.println();
      System.out.println("| what | offered/s | achieved/s | p50 ms | p99 ms | p99.9 ms | max ms |");
      System.out.println("|---|---|---|---|---|---|---|");
      System.out.println(placed.row());
      System.out.println(floor.row());
      client.shutdown();
      store.close();
      factory.destroy();
    }
  }

  private record Result(String name, int offered, double achieved, Histogram h) {
    String row() {
      return String.format("| %s | %d | %.0f | %.3f | %.3f | %.3f | %.3f |", name, offered, achieved,
          h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6,
          h.getMaxValue() / 1e6);
    }
  }

  private static Result run(String name, Consumer<Integer> op, int rate, int seconds, int threads) throws Exception {
    Recorder recorder = new Recorder(3);
    long intervalNanos = 1_000_000_000L * threads / rate;
    long start = System.nanoTime() + 50_000_000L;
    long end = start + seconds * 1_000_000_000L;
    AtomicLong done = new AtomicLong();
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers[t] = new Thread(() -> {
        long intended = start + id * intervalNanos / threads;
        while (intended < end) {
          long now;
          // Parked, not spinning: on two cores a spinning load generator would starve Redis.
          while ((now = System.nanoTime()) < intended) {
            java.util.concurrent.locks.LockSupport.parkNanos(intended - now);
          }
          op.accept(id);
          recorder.recordValue(Math.max(1, System.nanoTime() - intended));
          done.incrementAndGet();
          intended += intervalNanos;
        }
      }, "load-" + t);
      workers[t].start();
    }
    for (Thread w : workers) {
      w.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    Histogram h = recorder.getIntervalHistogram();
    Result r = new Result(name, rate, done.get() / elapsed, h);
    System.out.println(r.row());
    return r;
  }
}
