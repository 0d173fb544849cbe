package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.client.SimulatedParticipant;
import java.time.Duration;
import java.util.List;

/**
 * Steady joins and leaves: {@code joinsPerSecond} for {@code duration}, over {@code rooms} rooms in
 * turn, each participant staying {@code stay} (publishing and receiving all the while). Streams
 * still waiting for an answer when their participant (or its sender) leaves count as cancelled;
 * participants whose stay outlasts the run leave once it has settled.
 */
public final class Churn {

  private final RunSettings settings;
  private final double joinsPerSecond;
  private final Duration duration;
  private final Duration stay;
  private final int rooms;

  public Churn(RunSettings settings, double joinsPerSecond, Duration duration, Duration stay, int rooms) {
    this.settings = settings;
    this.joinsPerSecond = joinsPerSecond;
    this.duration = duration;
    this.stay = stay;
    this.rooms = rooms;
  }

  public RunResult run() {
    List<ChurnPlan.Visit> visits = ChurnPlan.visits(joinsPerSecond, duration, stay, rooms, settings.roomPrefix());
    try (LoadRun run = new LoadRun("churn", settings)) {
      run.parameter("joinsPerSecond", joinsPerSecond);
      run.parameter("duration", duration.toString());
      run.parameter("stay", stay.toString());
      run.parameter("rooms", rooms);
      run.expect(visits.size(), 0);
      run.start();
      for (ChurnPlan.Visit visit : visits) {
        SimulatedParticipant p = run.add(visit.name(), visit.room(), true);
        run.at(visit.joinAt(), p::join);
        if (visit.leaveAt() != null) {
          run.at(visit.leaveAt(), p::leave);
        }
      }
      run.sleepUntil(duration);
      run.awaitQuiet(run.quietBound());
      return run.finish(null);
    }
  }
}
