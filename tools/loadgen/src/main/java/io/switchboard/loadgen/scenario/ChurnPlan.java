package io.switchboard.loadgen.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Steady arrivals and departures: one join every {@code 1/rate} seconds for {@code duration},
 * spread over rooms in turn, each participant staying {@code stay}. Worked out before anything
 * connects.
 */
public final class ChurnPlan {

  /**
   * One participant's visit. {@code leaveAt} is null when the stay would outlast the run: that
   * participant leaves after the run has settled, so its last answers are still counted.
   */
  public record Visit(String room, String name, Duration joinAt, Duration leaveAt) {}

  private ChurnPlan() {}

  public static List<Visit> visits(double joinsPerSecond, Duration duration, Duration stay, int rooms,
      String roomPrefix) {
    if (joinsPerSecond <= 0 || rooms < 1 || duration.isNegative() || duration.isZero() || stay.isNegative()) {
      throw new IllegalArgumentException("a positive rate and duration, at least one room, a stay of zero or more");
    }
    // Joins at 0, 1/rate, 2/rate, ... before the end of the run (the tolerance absorbs rounding:
    // 3/s for 1 s is 3 joins, not 4).
    long count = (long) Math.ceil(duration.toNanos() / 1e9 * joinsPerSecond - 1e-6);
    if (count > 10_000_000) {
      throw new IllegalArgumentException("more than 10 million joins: lower the rate or the duration");
    }
    int roomDigits = JoinPlan.digits(rooms);
    int nameDigits = JoinPlan.digits((int) Math.min(Integer.MAX_VALUE, count));
    List<Visit> visits = new ArrayList<>((int) count);
    for (int i = 0; i < count; i++) {
      Duration joinAt = Duration.ofNanos(Math.round(i * 1e9 / joinsPerSecond));
      Duration leaveAt = joinAt.plus(stay);
      visits.add(new Visit(roomPrefix + "r" + JoinPlan.pad(i % rooms, roomDigits), "c" + JoinPlan.pad(i, nameDigits),
          joinAt, leaveAt.compareTo(duration) < 0 ? leaveAt : null));
    }
    return visits;
  }
}
