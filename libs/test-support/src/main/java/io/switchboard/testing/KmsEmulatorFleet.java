package io.switchboard.testing;

import io.switchboard.launchers.LoopbackPorts;
import io.switchboard.kms.emulator.EmulatorConfig;
import io.switchboard.kms.emulator.KmsEmulator;
import java.util.ArrayList;
import java.util.List;

/**
 * Several in-process KMS emulators, each on its own free loopback port, for placement and
 * signaling tests. Closing the fleet stops every one still running.
 */
public final class KmsEmulatorFleet implements AutoCloseable {

  private final List<KmsEmulator> nodes;

  private KmsEmulatorFleet(List<KmsEmulator> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  public static KmsEmulatorFleet start(int count) {
    return start(count, EmulatorConfig.defaults());
  }

  /** {@code count} emulators with {@code config} (its host and port are replaced per node). */
  public static KmsEmulatorFleet start(int count, EmulatorConfig config) {
    List<KmsEmulator> started = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        started.add(KmsEmulator.start(config.withHost(LoopbackPorts.HOST).withPort(0)));
      }
    } catch (RuntimeException e) {
      started.forEach(KmsEmulator::close);
      throw e;
    }
    return new KmsEmulatorFleet(started);
  }

  public List<KmsEmulator> nodes() {
    return nodes;
  }

  public KmsEmulator node(int index) {
    return nodes.get(index);
  }

  /** The {@code ws://127.0.0.1:PORT/kurento} URLs, in node order. */
  public List<String> urls() {
    return nodes.stream().map(KmsEmulator::url).toList();
  }

  /** As {@code switchboard.placement.nodes} takes them: comma-separated. */
  public String urlList() {
    return String.join(",", urls());
  }

  @Override
  public void close() {
    nodes.forEach(KmsEmulator::close);
  }
}
