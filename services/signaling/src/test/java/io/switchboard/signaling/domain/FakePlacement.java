package io.switchboard.signaling.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The placement service in memory: KMS nodes by id, and each room's node. A room keeps its node
 * until it is released (placing it again answers the same node); new rooms go to the node chosen
 * with {@link #placeOn} (the first node added, by default). Synchronized.
 */
public final class FakePlacement implements RoomPlacementClient, PlacedRooms {

  private final Map<String, String> kmsUrls = new LinkedHashMap<>();
  private final Map<String, PlacedRoom> placed = new LinkedHashMap<>();
  private final List<String> released = new ArrayList<>();
  private String next;
  private RuntimeException failure;
  private int placeCalls;

  /** No nodes yet: {@link #addNode} some. */
  public FakePlacement() {}

  /** One node, where every room goes. */
  public FakePlacement(String nodeId, String kmsUrl) {
    addNode(nodeId, kmsUrl);
  }

  /** A node placement may use; the first one added is where rooms go until {@link #placeOn} says otherwise. */
  public synchronized FakePlacement addNode(String nodeId, String kmsUrl) {
    kmsUrls.put(nodeId, kmsUrl);
    if (next == null) {
      next = nodeId;
    }
    return this;
  }

  /** Rooms placed from now on go to this (known) node. */
  public synchronized void placeOn(String nodeId) {
    if (!kmsUrls.containsKey(nodeId)) {
      throw new IllegalArgumentException("unknown node " + nodeId);
    }
    next = nodeId;
  }

  /** Every {@link #place} throws {@code failure} (placement down, no capacity) until {@link #recover}. */
  public synchronized void failWith(RuntimeException failure) {
    this.failure = failure;
  }

  public synchronized void recover() {
    failure = null;
  }

  /**
   * What placement does when a node is lost: forgets the placements of its rooms (so placing them
   * again picks the chosen node). Returns those rooms.
   */
  public synchronized List<String> unplaceRoomsOn(String nodeId) {
    List<String> rooms = new ArrayList<>();
    placed.entrySet().removeIf(e -> {
      boolean on = e.getValue().nodeId().equals(nodeId);
      if (on) {
        rooms.add(e.getKey());
      }
      return on;
    });
    return rooms;
  }

  @Override
  public synchronized PlacedRoom place(String roomId, int expectedParticipants) {
    placeCalls++;
    if (failure != null) {
      throw failure;
    }
    if (next == null) {
      throw new IllegalStateException("no KMS node to place room " + roomId + " on");
    }
    return placed.computeIfAbsent(roomId, r -> new PlacedRoom(next, kmsUrls.get(next)));
  }

  @Override
  public synchronized void release(String roomId) {
    placed.remove(roomId);
    released.add(roomId);
  }

  @Override
  public synchronized java.util.Set<String> roomIds() {
    return java.util.Set.copyOf(placed.keySet());
  }

  /** Where a room is placed now. */
  public synchronized Optional<PlacedRoom> placement(String roomId) {
    return Optional.ofNullable(placed.get(roomId));
  }

  /** Every room released, in order (a room released twice appears twice). */
  public synchronized List<String> released() {
    return List.copyOf(released);
  }

  /** How many times {@link #place} was called, failures included. */
  public synchronized int placeCalls() {
    return placeCalls;
  }
}
