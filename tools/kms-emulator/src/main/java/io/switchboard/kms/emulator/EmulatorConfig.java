package io.switchboard.kms.emulator;

import java.time.Duration;

/**
 * How one emulated KMS behaves. Defaults match a stock KMS where KMS has a setting (GC period
 * 240 s, request cache 20 s) and a small, cheap node otherwise.
 *
 * @param host address the WebSocket (and admin) server binds to
 * @param port WebSocket port; 0 picks a free one
 * @param adminPort fault-injection HTTP port; 0 picks a free one, -1 disables it
 * @param capacity most media objects (pipelines and elements) alive at once; {@code create} beyond
 *     it fails with 40009 NOT_ENOUGH_RESOURCES, as KMS does near its thread limit
 * @param cpuCount what {@code getCpuCount} reports
 * @param idleCpu {@code getUsedCpu} with no objects, percent of one core
 * @param cpuPerPipeline cost of each pipeline in percent of one core
 * @param cpuPerEndpoint cost of each endpoint or other element in percent of one core
 * @param gcPeriod KMS's {@code garbageCollectorPeriod}
 * @param requestCacheTtl how long a response is replayed for a repeated (session, id); zero
 *     disables the cache
 * @param candidateAddress the address of the host candidates {@code gatherCandidates} reports
 */
public record EmulatorConfig(
    String host,
    int port,
    int adminPort,
    int capacity,
    int cpuCount,
    double idleCpu,
    double cpuPerPipeline,
    double cpuPerEndpoint,
    Duration gcPeriod,
    Duration requestCacheTtl,
    String candidateAddress) {

  public static EmulatorConfig defaults() {
    return new EmulatorConfig(
        "127.0.0.1", 0, -1, Integer.MAX_VALUE, 4, 0.0, 1.0, 2.5,
        Duration.ofSeconds(240), Duration.ofSeconds(20), "127.0.0.1");
  }

  public EmulatorConfig withPort(int value) {
    return new EmulatorConfig(host, value, adminPort, capacity, cpuCount, idleCpu, cpuPerPipeline,
        cpuPerEndpoint, gcPeriod, requestCacheTtl, candidateAddress);
  }

  public EmulatorConfig withHost(String value) {
    return new EmulatorConfig(value, port, adminPort, capacity, cpuCount, idleCpu, cpuPerPipeline,
        cpuPerEndpoint, gcPeriod, requestCacheTtl, candidateAddress);
  }

  public EmulatorConfig withAdminPort(int value) {
    return new EmulatorConfig(host, port, value, capacity, cpuCount, idleCpu, cpuPerPipeline,
        cpuPerEndpoint, gcPeriod, requestCacheTtl, candidateAddress);
  }

  public EmulatorConfig withCapacity(int value) {
    return new EmulatorConfig(host, port, adminPort, value, cpuCount, idleCpu, cpuPerPipeline,
        cpuPerEndpoint, gcPeriod, requestCacheTtl, candidateAddress);
  }

  public EmulatorConfig withCpuModel(int count, double idle, double perPipeline, double perEndpoint) {
    return new EmulatorConfig(host, port, adminPort, capacity, count, idle, perPipeline,
        perEndpoint, gcPeriod, requestCacheTtl, candidateAddress);
  }

  public EmulatorConfig withGcPeriod(Duration value) {
    return new EmulatorConfig(host, port, adminPort, capacity, cpuCount, idleCpu, cpuPerPipeline,
        cpuPerEndpoint, value, requestCacheTtl, candidateAddress);
  }

  public EmulatorConfig withRequestCacheTtl(Duration value) {
    return new EmulatorConfig(host, port, adminPort, capacity, cpuCount, idleCpu, cpuPerPipeline,
        cpuPerEndpoint, gcPeriod, value, candidateAddress);
  }

  public EmulatorConfig withCandidateAddress(String value) {
    return new EmulatorConfig(host, port, adminPort, capacity, cpuCount, idleCpu, cpuPerPipeline,
        cpuPerEndpoint, gcPeriod, requestCacheTtl, value);
  }

  public EmulatorConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
    if (adminPort < -1 || adminPort > 65535) {
      throw new IllegalArgumentException("admin port must be -1..65535: " + adminPort);
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    if (cpuCount < 1) {
      throw new IllegalArgumentException("cpu count must be at least 1: " + cpuCount);
    }
    if (idleCpu < 0 || cpuPerPipeline < 0 || cpuPerEndpoint < 0) {
      throw new IllegalArgumentException("cpu costs must not be negative");
    }
    if (gcPeriod.isNegative() || gcPeriod.isZero()) {
      throw new IllegalArgumentException("gc period must be positive: " + gcPeriod);
    }
    if (requestCacheTtl.isNegative()) {
      throw new IllegalArgumentException("request cache ttl must not be negative");
    }
  }
}
