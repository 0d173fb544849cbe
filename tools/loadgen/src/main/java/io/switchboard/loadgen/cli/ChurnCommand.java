package io.switchboard.loadgen.cli;

import io.switchboard.loadgen.scenario.Churn;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "churn", mixinStandardHelpOptions = true,
    description = "Steady joins and leaves: a join every 1/rate seconds for a duration, each staying a while.")
final class ChurnCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Option(names = "--rate", defaultValue = "2", paramLabel = "PER_SECOND",
      description = "Joins per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long joins go on (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--stay", defaultValue = "20s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long each participant stays; those whose stay outlasts the run leave once it has "
          + "settled (default: ${DEFAULT-VALUE}).")
  Duration stay;

  @Option(names = "--rooms", defaultValue = "5", paramLabel = "M",
      description = "Rooms joined in turn (default: ${DEFAULT-VALUE}).")
  int rooms;

  @Override
  public Integer call() {
    return new Churn(common.settings(), rate, duration, stay, rooms).run().exitCode();
  }
}
