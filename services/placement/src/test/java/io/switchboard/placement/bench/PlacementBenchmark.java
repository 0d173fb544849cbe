package io.switchboard.placement.bench;

import io.switchboard.placement.domain.KmsReading;
import io.switchboard.placement.domain.LeastLoadedSelector;
import io.switchboard.placement.domain.NodeSelector;
import io.switchboard.placement.domain.PlacementResult;
import io.switchboard.placement.domain.PowerOfTwoChoicesSelector;
import io.switchboard.placement.store.redis.RedisPlacementStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import io.switchboard.testing.RedisFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Placement decisions per second and their latency against a real redis-server, over 10 nodes,
 * and in the same run the floor: an EVALSHA of a script that does nothing, through the same
 * client (Lettuce; the store sends its decision script that way too). Run with {@code ./mvnw -B -pl services/placement -am -Pbench -DskipTests -DskipITs verify}
 * (see docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(1)
@Threads(8)
public class PlacementBenchmark {

  private static final Duration STALE = Duration.ofHours(1);

  @Param({"least-loaded", "power-of-two"})
  public String strategy;

  private final RedisFixture redis = new RedisFixture();
  private RedisPlacementStore store;
  private NodeSelector selector;
  private final AtomicLong rooms = new AtomicLong();
  private RedisClient client;
  private RedisCommands<String, String> raw;
  private String noOpSha;
  private Instant now;

  @Setup(Level.Trial)
  public void start() {
    redis.start();
    store = new RedisPlacementStore(redis.template);
    selector = strategy.equals("least-loaded") ? new LeastLoadedSelector() : new PowerOfTwoChoicesSelector();
    now = Instant.now();
    for (int i = 0; i < 10; i++) {
      store.register("node-" + i, "ws://10.0.0." + i + ":8888/kurento", 1_000_000_000);
      store.recordHealth("node-" + i, now, new KmsReading(0.1 * (i % 3), 0, 0), 3);
    }
    client = RedisClient.create(redis.redis.url());
    raw = client.connect().sync();
    noOpSha = raw.scriptLoad("return 1");
  }

  @TearDown(Level.Trial)
  public void stop() {
    client.shutdown();
    store.close();
    redis.stop();
  }

  /** One decision for a new room: pick over 10 nodes, reserve, map the room. */
  @Benchmark
  public PlacementResult place() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return store.place("room-" + rooms.incrementAndGet(), 4, now, STALE, selector,
        new int[] {random.nextInt(Integer.MAX_VALUE), random.nextInt(Integer.MAX_VALUE)});
  }

  /** The floor: an EVALSHA of a script that does nothing, through Lettuce as place() goes. */
  @Benchmark
  public Object evalshaNoOp() {
    return raw.evalsha(noOpSha, ScriptOutputType.INTEGER, new String[0]);
  }
}
