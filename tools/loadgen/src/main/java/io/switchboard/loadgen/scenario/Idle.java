package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.client.SimulatedParticipant;
import java.time.Duration;

/**
 * Many quiet sockets: {@code sockets} connections opened at {@code connectsPerSecond}, optionally
 * each joining a room of {@code perRoom} (without media), then held open for {@code duration}
 * while the progress line reports how many are still open. What a pod's memory and the gateway's
 * socket limits are measured with.
 */
public final class Idle {

  private final RunSettings settings;
  private final int sockets;
  private final double connectsPerSecond;
  private final Duration duration;
  private final boolean join;
  private final int perRoom;

  public Idle(RunSettings settings, int sockets, double connectsPerSecond, Duration duration, boolean join,
      int perRoom) {
    if (sockets < 1 || connectsPerSecond <= 0 || perRoom < 1) {
      throw new IllegalArgumentException("at least one socket, a positive connect rate, rooms of at least one");
    }
    this.settings = settings;
    this.sockets = sockets;
    this.connectsPerSecond = connectsPerSecond;
    this.duration = duration;
    this.join = join;
    this.perRoom = perRoom;
  }

  public RunResult run() {
    try (LoadRun run = new LoadRun("idle", settings)) {
      run.parameter("sockets", sockets);
      run.parameter("connectsPerSecond", connectsPerSecond);
      run.parameter("duration", duration.toString());
      run.parameter("join", join);
      run.parameter("perRoom", perRoom);
      run.expect(join ? sockets : 0, 0);
      run.start();
      int rooms = (sockets + perRoom - 1) / perRoom;
      int roomDigits = JoinPlan.digits(rooms);
      int nameDigits = JoinPlan.digits(sockets);
      Duration last = Duration.ZERO;
      for (int i = 0; i < sockets; i++) {
        String room = settings.roomPrefix() + "idle" + JoinPlan.pad(i / perRoom, roomDigits);
        SimulatedParticipant p = run.add("i" + JoinPlan.pad(i, nameDigits), room, false);
        last = Duration.ofNanos(Math.round(i * 1e9 / connectsPerSecond));
        run.at(last, join ? p::join : p::connectOnly);
      }
      run.sleepUntil(last);
      run.awaitQuiet(run.quietBound());
      LoadRun.sleep(duration);
      return run.finish(null);
    }
  }
}
