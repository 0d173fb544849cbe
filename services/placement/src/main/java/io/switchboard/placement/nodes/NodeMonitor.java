package io.switchboard.placement.nodes;

import io.switchboard.placement.PlacementMetrics;
import io.switchboard.placement.config.PlacementProperties;
import io.switchboard.placement.contract.NodeAnnouncement;
import io.switchboard.placement.domain.HealthOutcome;
import io.switchboard.placement.domain.KmsReading;
import io.switchboard.placement.domain.NodeLoad;
import io.switchboard.placement.domain.NodeState;
import io.switchboard.placement.domain.PlacementStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node registry true: syncs it with discovery, polls every node (only the placement
 * replica holding a node's monitor lease polls it), marks nodes DOWN after repeated failures and
 * evacuates their rooms, evacuates drained nodes past their deadline, and reconciles counters that
 * drifted from what KMS reports.
 */
public final class NodeMonitor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeMonitor.class);

  private final PlacementStore store;
  private final NodeDiscovery discovery;
  private final KmsProbe probe;
  private final PlacementProperties properties;
  private final PlacementMetrics metrics;
  private final Clock clock;
  private final String owner = UUID.randomUUID().toString();
  private final ScheduledExecutorService scheduler;
  private final ExecutorService pollers;
  /** Nodes whose reported endpoints disagreed with KMS at the previous poll. */
  private final Set<String> drifting = ConcurrentHashMap.newKeySet();
  private final Map<String, Future<?>> inFlight = new ConcurrentHashMap<>();

  public NodeMonitor(PlacementStore store, NodeDiscovery discovery, KmsProbe probe, PlacementProperties properties,
      PlacementMetrics metrics, Clock clock) {
    this.store = store;
    this.discovery = discovery;
    this.probe = probe;
    this.properties = properties;
    this.metrics = metrics;
    this.clock = clock;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "node-monitor"));
    this.pollers = Executors.newCachedThreadPool(r -> thread(r, "node-poll"));
  }

  private static Thread thread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public void start() {
    long period = properties.pollInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::cycleSafely, 0, period, TimeUnit.MILLISECONDS);
  }

  private void cycleSafely() {
    try {
      cycle();
    } catch (RuntimeException e) {
      log.warn("node monitor cycle failed: {}", e.toString());
    }
  }

  /** One round: discovery, health polls, drain deadlines, gauges. Public for tests. */
  public void cycle() {
    Instant now = clock.instant();
    // Read before the list: a list taken while discovery was still syncing must not count as complete.
    boolean complete = discovery.synced();
    List<DiscoveredNode> discovered = discovery.nodes();
    Set<String> discoveredIds = discovered.stream().map(DiscoveredNode::id).collect(Collectors.toSet());
    for (DiscoveredNode node : discovered) {
      if (store.register(node.id(), node.url(), node.capacity())) {
        log.info("KMS node {} registered at {}", node.id(), node.url());
      }
    }
    List<NodeLoad> nodes = store.nodes();
    Duration lease = properties.pollInterval().multipliedBy(3);
    List<NodeLoad> mine = new ArrayList<>();
    for (NodeLoad node : nodes) {
      if (store.acquireMonitorLease(node.id(), owner, lease)) {
        mine.add(node);
      }
    }
    Set<String> terminating = discovered.stream().filter(DiscoveredNode::terminating).map(DiscoveredNode::id)
        .collect(Collectors.toSet());
    for (NodeLoad node : mine) {
      if (terminating.contains(node.id()) && node.state() == NodeState.SERVING) {
        // Its pod is being deleted: no new rooms, but its calls go on (a preStop hook may set a
        // deadline, which this never replaces; without one they stay until the node is gone).
        store.drainIfServing(node.id());
        log.info("KMS node {} is terminating: draining", node.id());
      }
      if (!discoveredIds.contains(node.id())) {
        if (complete) {
          leave(node, now);
        }
      } else if (node.state() == NodeState.DRAINING && node.drainDeadline() != null
          && !now.isBefore(node.drainDeadline())) {
        store.evacuateIfDrainDue(node.id(), now).ifPresent(rooms -> {
          metrics.evacuated(NodeAnnouncement.Type.NODE_DRAINED, rooms.size());
          log.warn("KMS node {}: drain deadline passed, {} rooms announced for moving", node.id(), rooms.size());
        });
      }
    }
    for (NodeLoad node : mine) {
      if (discoveredIds.contains(node.id())) {
        pollAsync(node);
      }
    }
    metrics.nodes(nodes);
  }

  /** Waits (at most {@code timeout}) for the polls in flight to be done: for tests, after a {@link #cycle}. */
  void awaitPolls(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Future<?> poll : List.copyOf(inFlight.values())) {
      poll.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  /** Polls run in parallel, one at a time per node: a hung node delays nobody else. */
  private void pollAsync(NodeLoad node) {
    Future<?> previous = inFlight.get(node.id());
    if (previous != null && !previous.isDone()) {
      return;
    }
    inFlight.put(node.id(), pollers.submit(() -> {
      try {
        poll(node);
      } catch (RuntimeException e) {
        log.warn("polling KMS node {} failed: {}", node.id(), e.toString());
      }
    }));
  }

  private void poll(NodeLoad node) {
    KmsReading reading = null;
    try {
      reading = probe.read(node.url());
    } catch (Exception e) {
      log.debug("KMS node {} unreadable: {}", node.id(), e.toString());
    }
    Instant now = clock.instant();
    HealthOutcome outcome = store.recordHealth(node.id(), now, reading, properties.failuresBeforeDown());
    metrics.polled(node.id(), outcome);
    switch (outcome) {
      case DOWN -> {
        log.warn("KMS node {} is DOWN after {} failed polls", node.id(), properties.failuresBeforeDown());
        evacuate(node.id(), NodeState.DOWN, NodeAnnouncement.Type.NODE_DOWN,
            "failed " + properties.failuresBeforeDown() + " health checks", now);
      }
      case RECOVERED -> log.info("KMS node {} answers again", node.id());
      case UNKNOWN -> {
        // It left the registry while this poll ran: let go of its connection.
        probe.forget(node.url());
        return;
      }
      default -> { }
    }
    if (reading != null) {
      reconcile(node, reading, now);
    }
  }

  /**
   * Expires stale reservations; when the endpoint count signaling reports disagrees with KMS's
   * own for two polls in a row (a pod died without reporting, say), KMS's count wins.
   */
  private void reconcile(NodeLoad node, KmsReading reading, Instant now) {
    boolean disagree = node.endpoints() != reading.endpoints();
    boolean persistent = disagree && !drifting.add(node.id());
    if (!disagree) {
      drifting.remove(node.id());
    }
    int before = store.reconcile(node.id(), now, properties.reservationTtl(), persistent ? reading.endpoints() : -1);
    if (persistent) {
      drifting.remove(node.id());
      if (before != reading.endpoints()) {
        log.info("KMS node {}: endpoint counter {} reconciled to KMS's {}", node.id(), before, reading.endpoints());
      }
    }
  }

  private void leave(NodeLoad node, Instant now) {
    log.info("KMS node {} left discovery", node.id());
    evacuate(node.id(), NodeState.DOWN, NodeAnnouncement.Type.NODE_DOWN, "left discovery", now);
    if (store.forget(node.id())) {
      probe.forget(node.url());
    } else {
      log.info("KMS node {} answered again while leaving; retrying next cycle", node.id());
    }
  }

  private void evacuate(String nodeId, NodeState state, NodeAnnouncement.Type type, String reason, Instant now) {
    List<String> rooms = store.evacuate(nodeId, state, type, reason, now);
    metrics.evacuated(type, rooms.size());
    log.warn("KMS node {}: {} ({}), {} rooms announced for moving", nodeId, type, reason, rooms.size());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    pollers.shutdownNow();
    probe.close();
  }
}
