package io.switchboard.placement.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.placement.contract.PlacementKeys;
import io.switchboard.placement.domain.KmsReading;
import io.switchboard.placement.domain.LeastLoadedSelector;
import io.switchboard.placement.domain.NodeLoad;
import io.switchboard.placement.domain.NodeSelector;
import io.switchboard.placement.domain.PlacementResult;
import io.switchboard.placement.domain.PowerOfTwoChoicesSelector;
import io.switchboard.testing.RedisFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Lua script decides in production; the Java selectors are the readable, unit-tested
 * statement of the rules. Over many random registries, both must choose the same node.
 */
class PlacementScriptAgreementIT {

  private static final Duration STALE = Duration.ofSeconds(10);
  @RegisterExtension
  static final RedisFixture fixture = new RedisFixture();

  @ParameterizedTest
  @ValueSource(strings = {"least-loaded", "power-of-two"})
  void scriptAndSelectorChooseTheSameNode(String strategy) {
    NodeSelector selector = strategy.equals("least-loaded") ? new LeastLoadedSelector() : new PowerOfTwoChoicesSelector();
    RedisPlacementStore store = new RedisPlacementStore(fixture.template);
    Random random = new Random(strategy.hashCode());
    Instant now = Instant.parse("2026-11-20T12:00:00Z");
    int compared = 0;
    for (int round = 0; round < 300; round++) {
      fixture.flush();
      int nodes = 1 + random.nextInt(8);
      for (int i = 0; i < nodes; i++) {
        String id = "n" + i;
        int capacity = 10 + random.nextInt(90);
        store.register(id, "ws://" + id + "/kurento", capacity);
        Instant heartbeat = random.nextInt(5) == 0 ? now.minusSeconds(11) : now.minusSeconds(random.nextInt(10));
        // Coarse values make ties (equal scores and loads) frequent, so tie-breaks are compared too.
        double cpu = random.nextInt(5) / 4.0;
        // Load counters as rooms would have left them; the health poll after them refreshes the
        // candidates index the script reads, while the Java side reads the node hashes.
        fixture.template.opsForHash().put(PlacementKeys.node(id), "endpoints", Integer.toString(random.nextInt(capacity)));
        fixture.template.opsForHash().put(PlacementKeys.node(id), "reserved", Integer.toString(random.nextInt(20)));
        store.recordHealth(id, heartbeat, new KmsReading(cpu, random.nextInt(capacity), 1), 3);
        if (random.nextInt(6) == 0) {
          store.drain(id, null);
        }
      }
      int expected = 1 + random.nextInt(16);
      int[] draws = {random.nextInt(Integer.MAX_VALUE), random.nextInt(Integer.MAX_VALUE)};
      List<NodeLoad> snapshot = store.nodes();

      Optional<NodeLoad> javaChoice = selector.select(NodeSelector.candidates(snapshot, expected, now, STALE), draws);
      PlacementResult scriptChoice = store.place("room", expected, now, STALE, selector, draws);

      if (javaChoice.isEmpty()) {
        assertThat(scriptChoice).as("round %d: %s", round, snapshot).isInstanceOf(PlacementResult.NoCapacity.class);
      } else {
        assertThat(scriptChoice).as("round %d: %s", round, snapshot).isInstanceOf(PlacementResult.Placed.class);
        assertThat(((PlacementResult.Placed) scriptChoice).placement().nodeId())
            .as("round %d: %s", round, snapshot).isEqualTo(javaChoice.get().id());
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(150);
  }
}
