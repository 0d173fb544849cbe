package io.switchboard.loadgen.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: one subcommand per scenario. */
@Command(name = "loadgen", mixinStandardHelpOptions = true, version = "Switchboard loadgen 0.1.0",
    description = "Many group-call clients against Switchboard's /groupcall (through the gateway or straight to "
        + "signaling pods), with latency histograms and JSON/Markdown reports.",
    subcommands = {JoinStormCommand.class, BigRoomCommand.class, ChurnCommand.class, IdleCommand.class,
        FailoverCommand.class, CommandLine.HelpCommand.class})
public final class Commands implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static CommandLine commandLine() {
    CommandLine line = new CommandLine(new Commands());
    line.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof IllegalArgumentException) {
        cmd.getErr().println(cmd.getColorScheme().errorText(e.getMessage()));
        return 2;
      }
      throw e;
    });
    return line;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a scenario");
  }
}
