package io.switchboard.placement.domain;

/** What recording one health poll did to a node. */
public enum HealthOutcome {
  OK,
  /** It was DOWN and answers again: SERVING. */
  RECOVERED,
  /** A poll failed, but not enough of them yet. */
  FAILING,
  /** This failure made it DOWN: its rooms must be evacuated. */
  DOWN,
  /** Not in the registry (any more). */
  UNKNOWN
}
