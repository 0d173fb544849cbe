package io.switchboard.loadgen.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Who joins which room when, for the join storm and the big room: worked out before anything connects. */
public final class JoinPlan {

  /** One participant's join, {@code at} after the run starts. */
  public record Join(String room, String name, Duration at) {}

  private JoinPlan() {}

  /**
   * {@code perRoom} participants in each of {@code rooms} rooms. Rooms fill side by side, as
   * meetings that all start at the top of the hour do: the first of every room, then the second
   * of every room, and so on, one join every {@code spacing} (zero: all at once).
   */
  public static List<Join> storm(int rooms, int perRoom, Duration spacing, String roomPrefix) {
    if (rooms < 1 || perRoom < 1) {
      throw new IllegalArgumentException("at least one room of at least one participant");
    }
    List<Join> joins = new ArrayList<>(rooms * perRoom);
    int roomDigits = digits(rooms);
    int nameDigits = digits(perRoom);
    for (int seat = 0; seat < perRoom; seat++) {
      for (int room = 0; room < rooms; room++) {
        joins.add(new Join(roomPrefix + "r" + pad(room, roomDigits), "u" + pad(seat, nameDigits),
            spacing.multipliedBy(joins.size())));
      }
    }
    return joins;
  }

  /** One room of {@code size}, everyone at once. */
  public static List<Join> bigRoom(int size, String roomPrefix) {
    return storm(1, size, Duration.ZERO, roomPrefix);
  }

  /**
   * Streams a plan should end with: in a room of n, each participant publishes one and receives
   * the n − 1 others', n² in all.
   */
  public static long expectedStreams(List<Join> plan) {
    Map<String, Long> sizes = new HashMap<>();
    plan.forEach(j -> sizes.merge(j.room(), 1L, Long::sum));
    return sizes.values().stream().mapToLong(n -> n * n).sum();
  }

  /** When the last join is due. */
  public static Duration lastJoin(List<Join> plan) {
    return plan.stream().map(Join::at).max(Duration::compareTo).orElse(Duration.ZERO);
  }

  static int digits(int count) {
    return Integer.toString(Math.max(0, count - 1)).length();
  }

  static String pad(int n, int digits) {
    String s = Integer.toString(n);
    return "0".repeat(Math.max(0, digits - s.length())) + s;
  }
}
