package io.switchboard.signaling.ws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.signaling.domain.CallObserver;

/** Resumes, expiries and dead pods as meters (docs/operations.md). */
public final class CallMeters implements CallObserver {

  private final Counter resumedHere;
  private final Counter resumedElsewhere;
  private final Counter expired;
  private final Counter deadPods;
  private final Counter adopted;
  private final Counter rebuilt;
  private final MeterRegistry registry;

  public CallMeters(MeterRegistry registry) {
    this.registry = registry;
    resumedHere = Counter.builder("switchboard.signaling.resumes").tag("from", "same-pod")
        .description("Sessions resumed, by where they were served before").register(registry);
    resumedElsewhere = Counter.builder("switchboard.signaling.resumes").tag("from", "other-pod")
        .description("Sessions resumed, by where they were served before").register(registry);
    expired = Counter.builder("switchboard.signaling.expiries")
        .description("Participants removed because they did not resume in time").register(registry);
    deadPods = Counter.builder("switchboard.signaling.dead.pods")
        .description("Signaling pods this pod found dead (heartbeat lapsed) and cleaned up after").register(registry);
    adopted = Counter.builder("switchboard.signaling.dead.pod.participants")
        .description("Participants of dead pods parked to wait for a resume").register(registry);
    rebuilt = Counter.builder("switchboard.signaling.rooms.rebuilt")
        .description("Rooms this pod rebuilt on a new KMS node after theirs was lost").register(registry);
  }

  @Override
  public void candidateDropped(String reason) {
    Counter.builder("switchboard.signaling.ice.candidates.dropped").tag("reason", reason)
        .description("Browser ICE candidates kept from KMS: they named an address it must not probe").register(registry)
        .increment();
  }

  @Override
  public void roomRebuilt() {
    rebuilt.increment();
  }

  @Override
  public void ghostRoomSwept() {
    Counter.builder("switchboard.signaling.rooms.swept")
        .description("Ghosts closed by the room sweeper: rooms open with nobody in them, placements without a room")
        .register(registry).increment();
  }

  @Override
  public void resumed(boolean elsewhere) {
    (elsewhere ? resumedElsewhere : resumedHere).increment();
  }

  @Override
  public void expired() {
    expired.increment();
  }

  @Override
  public void adoptedDeadPod(int members) {
    deadPods.increment();
    adopted.increment(members);
  }
}
