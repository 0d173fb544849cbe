package io.switchboard.signaling.domain;

import java.util.Set;

/** The rooms placement holds a placement for, whatever signaling knows of them (read for the sweeper). */
public interface PlacedRooms {

  /** Their ids; throws when placement's records cannot be read. */
  Set<String> roomIds();

  /** Nothing is placed (tests of other things). */
  PlacedRooms NONE = Set::of;
}
