package io.switchboard.signaling.domain;

import java.util.concurrent.atomic.AtomicInteger;

/** A {@link CallObserver} that counts what it is told; thread-safe. */
public final class CountingObserver implements CallObserver {

  private final AtomicInteger resumedHere = new AtomicInteger();
  private final AtomicInteger resumedFromElsewhere = new AtomicInteger();
  private final AtomicInteger expired = new AtomicInteger();
  private final AtomicInteger adoptedPods = new AtomicInteger();
  private final AtomicInteger adoptedMembers = new AtomicInteger();
  private final AtomicInteger roomsRebuilt = new AtomicInteger();
  private final AtomicInteger ghostsSwept = new AtomicInteger();
  private final java.util.Map<String, AtomicInteger> candidatesDropped = new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public void candidateDropped(String reason) {
    candidatesDropped.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
  }

  /** Browser candidates dropped, by reason. */
  public int candidatesDropped(String reason) {
    AtomicInteger n = candidatesDropped.get(reason);
    return n == null ? 0 : n.get();
  }

  @Override
  public void resumed(boolean elsewhere) {
    (elsewhere ? resumedFromElsewhere : resumedHere).incrementAndGet();
  }

  @Override
  public void expired() {
    expired.incrementAndGet();
  }

  @Override
  public void adoptedDeadPod(int members) {
    adoptedPods.incrementAndGet();
    adoptedMembers.addAndGet(members);
  }

  @Override
  public void roomRebuilt() {
    roomsRebuilt.incrementAndGet();
  }

  @Override
  public void ghostRoomSwept() {
    ghostsSwept.incrementAndGet();
  }

  /** Ghost rooms and placements the sweeper closed. */
  public int ghostsSwept() {
    return ghostsSwept.get();
  }

  /** Resumes of participants this pod served already. */
  public int resumedHere() {
    return resumedHere.get();
  }

  /** Resumes of participants another pod served before. */
  public int resumedFromElsewhere() {
    return resumedFromElsewhere.get();
  }

  /** Participants removed because they did not resume in time. */
  public int expiries() {
    return expired.get();
  }

  /** Dead pods adopted (and the members parked with them: {@link #adoptedMembers}). */
  public int adoptedPods() {
    return adoptedPods.get();
  }

  public int adoptedMembers() {
    return adoptedMembers.get();
  }

  public int roomsRebuilt() {
    return roomsRebuilt.get();
  }
}
