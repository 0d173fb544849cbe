package io.switchboard.placement.domain;

/** Where a KMS node is in its life: taking rooms, being emptied, or unreachable. */
public enum NodeState {
  /** Takes new rooms (when its heartbeat is fresh and it has room). */
  SERVING,
  /** Takes no new rooms; existing rooms stay until its drain deadline, if it has one. */
  DRAINING,
  /** Failed its health checks; its rooms were announced for moving. */
  DOWN
}
