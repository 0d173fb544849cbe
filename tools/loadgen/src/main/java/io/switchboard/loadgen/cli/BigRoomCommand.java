package io.switchboard.loadgen.cli;

import io.switchboard.loadgen.scenario.JoinStorm;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "big-room", mixinStandardHelpOptions = true,
    description = "One room, everyone joining at once (n participants: n² streams).")
final class BigRoomCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Option(names = "--size", defaultValue = "25", paramLabel = "N", description = "Participants (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--hold", defaultValue = "0s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long everyone stays after all has settled, before leaving (default: ${DEFAULT-VALUE}).")
  Duration hold;

  @Override
  public Integer call() {
    return JoinStorm.bigRoom(common.settings(), size, hold).run().exitCode();
  }
}
