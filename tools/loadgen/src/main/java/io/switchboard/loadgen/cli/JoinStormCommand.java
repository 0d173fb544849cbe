package io.switchboard.loadgen.cli;

import io.switchboard.loadgen.scenario.JoinStorm;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "join-storm", mixinStandardHelpOptions = true,
    description = "N clients into M rooms, all at once or spaced: each joins, publishes and receives everyone.")
final class JoinStormCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Option(names = "--rooms", defaultValue = "10", paramLabel = "M", description = "Rooms (default: ${DEFAULT-VALUE}).")
  int rooms;

  @Option(names = "--per-room", defaultValue = "5", paramLabel = "N",
      description = "Participants per room (default: ${DEFAULT-VALUE}).")
  int perRoom;

  @Option(names = "--spacing", defaultValue = "0s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Time between one join and the next, rooms filling side by side; 0s: all at once "
          + "(default: ${DEFAULT-VALUE}).")
  Duration spacing;

  @Option(names = "--hold", defaultValue = "0s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long everyone stays after all has settled, before leaving (default: ${DEFAULT-VALUE}).")
  Duration hold;

  @Override
  public Integer call() {
    return JoinStorm.of(common.settings(), rooms, perRoom, spacing, hold).run().exitCode();
  }
}
