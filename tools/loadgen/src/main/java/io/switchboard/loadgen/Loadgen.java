package io.switchboard.loadgen;

import io.switchboard.loadgen.cli.Commands;
import picocli.CommandLine;

/**
 * {@code java -jar loadgen.jar <scenario> --url ws://host:8080/groupcall ...}: many group-call
 * clients from one JVM (tools/loadgen/README.md). Exit status 0 when every join, stream and resume
 * succeeded in time, 1 when not, 2 for a usage error.
 */
public final class Loadgen {

  private Loadgen() {}

  public static void main(String[] args) {
    System.exit(Commands.commandLine().execute(args));
  }
}
