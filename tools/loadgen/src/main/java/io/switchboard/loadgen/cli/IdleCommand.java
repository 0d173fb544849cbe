package io.switchboard.loadgen.cli;

import io.switchboard.loadgen.scenario.Idle;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "idle", mixinStandardHelpOptions = true,
    description = "K sockets opened and kept open (optionally joined, without media), reporting as it goes.")
final class IdleCommand implements Callable<Integer> {

  @Mixin
  CommonOptions common;

  @Option(names = "--sockets", defaultValue = "1000", paramLabel = "K", description = "Sockets (default: ${DEFAULT-VALUE}).")
  int sockets;

  @Option(names = "--connect-rate", defaultValue = "500", paramLabel = "PER_SECOND",
      description = "New sockets per second (default: ${DEFAULT-VALUE}).")
  double connectRate;

  @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long the sockets are held once all are open (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--join", negatable = false,
      description = "Each socket also joins a room (no media): rooms of --per-room.")
  boolean join;

  @Option(names = "--per-room", defaultValue = "10", paramLabel = "N",
      description = "With --join, participants per room (default: ${DEFAULT-VALUE}).")
  int perRoom;

  @Override
  public Integer call() {
    return new Idle(common.settings(), sockets, connectRate, duration, join, perRoom).run().exitCode();
  }
}
