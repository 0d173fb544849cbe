package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.client.SimulatedParticipant;
import java.time.Duration;
import java.util.List;

/**
 * Joins at the top of the hour: {@code rooms × perRoom} participants join (all at once, or one
 * every {@code spacing}), each publishes and receives everyone else; the run ends when every
 * stream has settled or timed out, and everyone leaves. A big room is the same with one room.
 */
public final class JoinStorm {

  private final RunSettings settings;
  private final String scenario;
  private final int rooms;
  private final int perRoom;
  private final Duration spacing;
  private final Duration hold;

  private JoinStorm(RunSettings settings, String scenario, int rooms, int perRoom, Duration spacing, Duration hold) {
    this.settings = settings;
    this.scenario = scenario;
    this.rooms = rooms;
    this.perRoom = perRoom;
    this.spacing = spacing;
    this.hold = hold;
  }

  /**
   * @param spacing between one join and the next (zero: all at once)
   * @param hold how long everyone stays once all has settled, before leaving
   */
  public static JoinStorm of(RunSettings settings, int rooms, int perRoom, Duration spacing, Duration hold) {
    return new JoinStorm(settings, "join-storm", rooms, perRoom, spacing, hold);
  }

  /** One room of {@code size}, everyone joining at once. */
  public static JoinStorm bigRoom(RunSettings settings, int size, Duration hold) {
    return new JoinStorm(settings, "big-room", 1, size, Duration.ZERO, hold);
  }

  public RunResult run() {
    List<JoinPlan.Join> plan = JoinPlan.storm(rooms, perRoom, spacing, settings.roomPrefix());
    try (LoadRun run = new LoadRun(scenario, settings)) {
      run.parameter("rooms", rooms);
      run.parameter("perRoom", perRoom);
      run.parameter("spacing", spacing.toString());
      run.parameter("hold", hold.toString());
      run.expect(plan.size(), JoinPlan.expectedStreams(plan));
      run.start();
      for (JoinPlan.Join join : plan) {
        SimulatedParticipant p = run.add(join.name(), join.room(), true);
        run.at(join.at(), p::join);
      }
      run.sleepUntil(JoinPlan.lastJoin(plan));
      run.awaitQuiet(run.quietBound());
      LoadRun.sleep(hold);
      return run.finish(null);
    }
  }
}
