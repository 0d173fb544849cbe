package io.switchboard.loadgen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.loadgen.scenario.RunSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandsTest {

  @Test
  void commonOptionsBecomeTheRunsSettings() {
    CommandLine line = Commands.commandLine();
    CommandLine.ParseResult parsed = line.parseArgs("join-storm", "--url", "ws://localhost:8080/groupcall",
        "--url", "ws://localhost:8081/groupcall", "--rooms", "3", "--per-room", "4", "--timeout", "5s",
        "--candidates", "0", "--max-rate", "0", "--no-room-query", "--out", "reports", "--quiet", "--seed", "7",
        "--run-id", "bench1");
    JoinStormCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

    RunSettings s = command.common.settings();
    assertThat(command.rooms).isEqualTo(3);
    assertThat(command.perRoom).isEqualTo(4);
    assertThat(s.client().urls()).hasSize(2);
    assertThat(s.client().roomQuery()).isFalse();
    assertThat(s.client().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.client().candidatesPerStream()).isZero();
    assertThat(s.client().messagesPerSecond()).isZero();
    assertThat(s.out()).isEqualTo(Path.of("reports"));
    assertThat(s.progress()).isFalse();
    assertThat(s.seed()).isEqualTo(7);
    assertThat(s.roomPrefix()).isEqualTo("lg-bench1-");
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    CommandLine.ParseResult parsed = Commands.commandLine().parseArgs("big-room", "--url", "ws://h/groupcall");
    BigRoomCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

    RunSettings s = command.common.settings();
    assertThat(command.size).isEqualTo(25);
    assertThat(s.client().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.client().candidatesPerStream()).isEqualTo(2);
    assertThat(s.client().messagesPerSecond()).isEqualTo(40);
    assertThat(s.client().messageBurst()).isEqualTo(150);
    assertThat(s.client().resumeWindow()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.client().roomQuery()).isTrue();
    assertThat(s.out()).isEqualTo(Path.of("loadgen-reports"));
    assertThat(s.runId()).matches("[a-z0-9]{6}");
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(run("join-storm")).isEqualTo(2); // no --url
    assertThat(run("join-storm", "--url", "ws://h/groupcall", "--timeout", "soon")).isEqualTo(2);
    assertThat(run("no-such-scenario")).isEqualTo(2);
    assertThat(run()).isEqualTo(2);
    assertThat(run("join-storm", "--url", "http://h/groupcall")).isEqualTo(2);
    assertThat(run("big-room", "--url", "ws://h/groupcall", "--kms-url", "http://h:8888/kurento")).isEqualTo(2);
    // The Redis round trip is part of the floor only: without --kms-url there is none to add it to.
    assertThat(run("big-room", "--url", "ws://h/groupcall", "--redis-url", "redis://localhost:6379")).isEqualTo(2);
    assertThat(run("big-room", "--url", "ws://h/groupcall", "--kms-url", "ws://h:8888/kurento",
        "--redis-url", "http://localhost:6379")).isEqualTo(2);
  }

  @Test
  void aRedisUrlJoinsTheFloor() {
    CommandLine.ParseResult parsed = Commands.commandLine().parseArgs("big-room", "--url", "ws://h/groupcall",
        "--kms-url", "ws://localhost:8888/kurento", "--redis-url", "redis://localhost:6379");
    BigRoomCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

    assertThat(command.common.settings().redisUrl()).hasToString("redis://localhost:6379");
  }

  @Test
  void aKmsUrlAsksForTheFloorToBeMeasured() {
    CommandLine.ParseResult parsed = Commands.commandLine().parseArgs("big-room", "--url", "ws://h/groupcall",
        "--kms-url", "ws://localhost:8888/kurento");
    BigRoomCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

    assertThat(command.common.settings().kmsUrl()).hasToString("ws://localhost:8888/kurento");
    assertThat(Commands.commandLine().parseArgs("big-room", "--url", "ws://h/groupcall").subcommand().commandSpec()
        .commandLine().<BigRoomCommand>getCommand().common.settings().kmsUrl()).isNull();
  }

  @Test
  void helpForEveryScenario() {
    for (String scenario : new String[] {"join-storm", "big-room", "churn", "idle", "failover"}) {
      assertThat(run(scenario, "--help")).isZero();
    }
  }

  @Test
  void theReadmeDocumentsEveryOption() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    CommandLine line = Commands.commandLine();
    line.getSubcommands().forEach((name, sub) -> {
      if (name.equals("help")) {
        return;
      }
      assertThat(readme).as("README names scenario " + name).contains("`" + name + "`");
      for (CommandLine.Model.OptionSpec option : sub.getCommandSpec().options()) {
        if (option.usageHelp() || option.versionHelp()) {
          continue;
        }
        assertThat(readme).as("README documents " + name + " " + option.longestName()).contains("`" + option.longestName());
      }
    });
  }

  private static int run(String... args) {
    CommandLine line = Commands.commandLine();
    line.setErr(new PrintWriter(new StringWriter()));
    line.setOut(new PrintWriter(new StringWriter()));
    return line.execute(args);
  }
}
