package io.switchboard.loadgen.cli;

import io.switchboard.loadgen.scenario.Failover;
import io.switchboard.loadgen.scenario.KillAction;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "failover", mixinStandardHelpOptions = true,
    description = "A call, then --kill-command mid-run (loadgen kills nothing itself); measures how soon each "
        + "dropped participant is back through resume.")
final class FailoverCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Option(names = "--rooms", defaultValue = "1", paramLabel = "M", description = "Rooms (default: ${DEFAULT-VALUE}).")
  int rooms;

  @Option(names = "--per-room", defaultValue = "5", paramLabel = "N",
      description = "Participants per room (default: ${DEFAULT-VALUE}).")
  int perRoom;

  @Option(names = "--kill-command", paramLabel = "SHELL",
      description = "Run with /bin/sh -c once every stream has settled, e.g. \"kubectl delete pod -l "
          + "app=signaling --force --grace-period=0\" or \"kill -9 $(cat signaling.pid)\". Without it: a baseline run.")
  String killCommand;

  @Option(names = "--kill-after", defaultValue = "2s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Wait this long after everything settled before the kill (default: ${DEFAULT-VALUE}).")
  Duration killAfter;

  @Option(names = "--kill-timeout", defaultValue = "60s", converter = DurationConverter.class,
      paramLabel = "DURATION", description = "Give up on the kill command after this (default: ${DEFAULT-VALUE}).")
  Duration killTimeout;

  @Option(names = "--observe", defaultValue = "5s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Watch for drops this long after the kill command returns; resumes under way are then "
          + "waited for (default: ${DEFAULT-VALUE}).")
  Duration observe;

  @Override
  public Integer call() {
    KillAction kill = killCommand == null ? null : KillAction.shell(killCommand, killTimeout);
    return new Failover(common.settings(), rooms, perRoom, killAfter, observe, killCommand, kill).run().exitCode();
  }
}
