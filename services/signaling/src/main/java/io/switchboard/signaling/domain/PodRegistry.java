package io.switchboard.signaling.domain;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The signaling pods and which participants wait for a resume (Redis, in production). Every pod
 * beats; the members of a pod whose beat lapsed are parked by whichever live pod claims the dead
 * one; a parked member not resumed by its deadline is removed by whichever live pod gets to it
 * first. The indexes here are hints for finding work: the member records in the {@link RoomStore}
 * decide, atomically, whether the work is still to be done.
 */
public interface PodRegistry {

  /** One member of one room. */
  record Entry(String roomId, String name, String memberId) {}

  /**
   * Records that {@code pod} is alive for {@code ttl}. Returns false when the pod was not known
   * alive just before (its first beat, or it was presumed dead meanwhile).
   */
  boolean beat(String pod, Duration ttl);

  boolean alive(String pod);

  /** Withdraws a stopping pod's beat at once, so others need not wait for it to lapse. */
  void retire(String pod);

  /** Pods that beat once and whose beat has since lapsed. */
  Set<String> deadPods();

  /** Takes the right to clean up after a dead pod, for {@code ttl}; one pod at a time gets it. */
  boolean claim(String deadPod, String claimant, Duration ttl);

  /**
   * Forgets a dead pod whose members have all been parked, unless it has beaten again meanwhile;
   * either way its claim ends, so a pod of the same name that dies later is cleaned up too.
   */
  void forget(String deadPod);

  /** Notes that {@code pod} serves this member (so a janitor finds it if the pod dies). */
  void serve(String pod, Entry member);

  void unserve(String pod, Entry member);

  List<Entry> served(String pod);

  /** Notes that the member waits for a resume until {@code deadlineMillis}. */
  void park(Entry member, long deadlineMillis);

  void unpark(Entry member);

  /** Parked members whose deadline is at or before {@code nowMillis}, at most {@code limit}. */
  List<Entry> due(long nowMillis, int limit);
}
