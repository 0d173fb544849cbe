package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.client.SimulatedParticipant;
import io.switchboard.loadgen.metrics.Report;
import io.switchboard.loadgen.metrics.RunMetrics;
import java.time.Duration;
import java.util.List;

/**
 * A call, a kill, and the way back: {@code rooms × perRoom} participants join and settle all their
 * streams; {@code killAfter} later the kill action runs (loadgen kills nothing itself: the action is
 * e.g. a shell command that kills a signaling pod). Participants whose socket drops, or who are
 * told to {@code reconnect}, open a new socket (the next URL, or the gateway again) and
 * {@code resume} with their session token. The run measures, per participant, drop → resumed and
 * kill → resumed, and counts those who do not come back.
 */
public final class Failover {

  private final RunSettings settings;
  private final int rooms;
  private final int perRoom;
  private final Duration killAfter;
  private final Duration observe;
  private final String killDescription;
  private final KillAction kill;

  /**
   * @param observe how long to watch for drops after the kill action returns (resumes that are
   *     under way then are waited for)
   * @param killDescription what the action is, for the report (the shell command); null: no kill
   * @param kill null: no kill (a baseline run)
   */
  public Failover(RunSettings settings, int rooms, int perRoom, Duration killAfter, Duration observe,
      String killDescription, KillAction kill) {
    this.settings = settings;
    this.rooms = rooms;
    this.perRoom = perRoom;
    this.killAfter = killAfter;
    this.observe = observe;
    this.killDescription = killDescription;
    this.kill = kill;
  }

  public RunResult run() {
    List<JoinPlan.Join> plan = JoinPlan.storm(rooms, perRoom, Duration.ZERO, settings.roomPrefix());
    try (LoadRun run = new LoadRun("failover", settings)) {
      run.parameter("rooms", rooms);
      run.parameter("perRoom", perRoom);
      run.parameter("killAfter", killAfter.toString());
      run.parameter("observe", observe.toString());
      run.parameter("killCommand", killDescription);
      run.expect(plan.size(), JoinPlan.expectedStreams(plan));
      run.dropsExpected();
      run.start();
      for (JoinPlan.Join join : plan) {
        SimulatedParticipant p = run.add(join.name(), join.room(), true);
        run.at(join.at(), p::join);
      }
      run.awaitQuiet(run.quietBound());
      LoadRun.sleep(killAfter);

      double killedAt = LoadRun.round(run.elapsed().toNanos() / 1e9);
      long killStarted = run.now();
      Integer exitCode = null;
      if (kill != null) {
        settings.console().println("running the kill action: " + (killDescription == null ? "(given)" : killDescription));
        try {
          exitCode = kill.run();
        } catch (Exception e) {
          run.metrics().error("kill-action-failed");
          settings.console().println("the kill action failed: " + e.getMessage());
        }
      }
      LoadRun.sleep(observe);
      run.awaitQuiet(run.quietBound());

      long dropped = 0;
      long back = 0;
      for (SimulatedParticipant p : run.participants()) {
        if (!p.everDropped()) {
          continue;
        }
        dropped++;
        long resumedAt = p.resumedAt();
        if (resumedAt > killStarted && p.phase() == SimulatedParticipant.Phase.JOINED) {
          back++;
          run.metrics().record(RunMetrics.Timing.KILL_TO_RESUMED, resumedAt - killStarted);
        }
      }
      return run.finish(new Report.Failover(killDescription, exitCode, killedAt, dropped, back, dropped - back));
    }
  }
}
