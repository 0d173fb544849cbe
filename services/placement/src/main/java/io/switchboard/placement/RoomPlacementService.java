package io.switchboard.placement;

import io.switchboard.placement.config.PlacementProperties;
import io.switchboard.placement.domain.NodeSelector;
import io.switchboard.placement.domain.Placement;
import io.switchboard.placement.domain.PlacementResult;
import io.switchboard.placement.domain.PlacementStore;
import io.switchboard.placement.domain.RoomLoad;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Places rooms on KMS nodes: one atomic decision in the store per request. */
public final class RoomPlacementService {

  private final PlacementStore store;
  private final NodeSelector selector;
  private final PlacementProperties properties;
  private final PlacementMetrics metrics;
  private final Clock clock;

  public RoomPlacementService(PlacementStore store, NodeSelector selector, PlacementProperties properties,
      PlacementMetrics metrics, Clock clock) {
    this.store = store;
    this.selector = selector;
    this.properties = properties;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * @param expectedParticipants how many people the room expects, or null for the configured
   *     default; validated by the caller
   */
  public PlacementResult place(String roomId, Integer expectedParticipants) {
    int participants = expectedParticipants == null ? properties.defaultExpectedParticipants() : expectedParticipants;
    int endpoints = RoomLoad.expectedEndpoints(participants);
    long started = System.nanoTime();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    PlacementResult result = store.place(roomId, endpoints, clock.instant(), properties.staleAfter(), selector,
        new int[] {random.nextInt(Integer.MAX_VALUE), random.nextInt(Integer.MAX_VALUE)});
    if (result instanceof PlacementResult.NoCapacity none && none.nodes() > 0 && endpoints > none.largestCapacity()) {
      result = new PlacementResult.TooLarge(endpoints, none.largestCapacity());
    }
    metrics.decided(result, System.nanoTime() - started);
    return result;
  }

  public Optional<Placement> find(String roomId) {
    return store.find(roomId);
  }

  public boolean release(String roomId) {
    boolean released = store.release(roomId);
    if (released) {
      metrics.released();
    }
    return released;
  }
}
