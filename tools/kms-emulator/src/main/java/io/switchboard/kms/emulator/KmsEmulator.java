package io.switchboard.kms.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.switchboard.kms.emulator.model.MediaServer;
import io.switchboard.kms.emulator.rpc.RpcDispatcher;
import io.switchboard.kms.emulator.transport.KmsWebSocketServer;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One emulated Kurento Media Server: a WebSocket at {@code ws://host:port/kurento} speaking KMS's
 * JSON-RPC, plus (optionally) a small HTTP admin API for fault injection. Runs in-process for tests
 * ({@link #start(EmulatorConfig)}) or as its own process ({@link Main}).
 */
public final class KmsEmulator implements AutoCloseable {

  private final EmulatorConfig config;
  private final MediaServer server;
  private final KmsWebSocketServer websocket;
  private final ScheduledExecutorService scheduler;
  private final Faults faults = new Faults();
  private final AdminServer admin;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile Runnable onExit = this::kill;

  private KmsEmulator(EmulatorConfig config) throws Exception {
    this.config = config;
    ObjectMapper mapper = JsonMapper.builder().enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kms-emulator-events");
      t.setDaemon(true);
      return t;
    });
    Clock clock = Clock.systemUTC();
    this.server = new MediaServer(config, clock, scheduler, mapper);
    RpcDispatcher dispatcher = new RpcDispatcher(server, mapper, clock);
    this.websocket = new KmsWebSocketServer(new InetSocketAddress(config.host(), config.port()), dispatcher, server, faults);
    try {
      websocket.startAndWait();
      this.admin = config.adminPort() >= 0 ? AdminServer.start(this, mapper) : null;
    } catch (Exception e) {
      scheduler.shutdownNow();
      websocket.stop(0);
      throw e;
    }
  }

  /** Starts an emulator; with port 0 it takes a free port (see {@link #port()}). */
  public static KmsEmulator start(EmulatorConfig config) {
    try {
      return new KmsEmulator(config);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("KMS emulator failed to start on " + config.host() + ":" + config.port(), e);
    }
  }

  public static KmsEmulator start() {
    return start(EmulatorConfig.defaults());
  }

  public EmulatorConfig config() {
    return config;
  }

  public int port() {
    return websocket.boundPort();
  }

  /** The URL a kurento-client connects to: {@code ws://127.0.0.1:<port>/kurento}. */
  public String url() {
    return "ws://" + config.host() + ":" + port() + "/kurento";
  }

  public Optional<Integer> adminPort() {
    return Optional.ofNullable(admin).map(AdminServer::port);
  }

  public Faults faults() {
    return faults;
  }

  /** The emulated server's state, for assertions and the admin API. */
  public MediaServer server() {
    return server;
  }

  public boolean running() {
    return !stopped.get();
  }

  /** Fault: drop every client connection without a close frame (clients see 1006 and reconnect). */
  public void dropConnections() {
    websocket.dropAll();
  }

  /** Fault: the process dies. Connections drop without a close frame and the port closes. */
  public void kill() {
    if (stopped.compareAndSet(false, true)) {
      websocket.dropAll();
      shutdown();
    }
  }

  /** What the admin API's exit does: in-process, {@link #kill()}; the standalone process halts. */
  void onExit(Runnable action) {
    this.onExit = action;
  }

  void exit() {
    onExit.run();
  }

  @Override
  public void close() {
    if (stopped.compareAndSet(false, true)) {
      shutdown();
    }
  }

  private void shutdown() {
    if (admin != null) {
      admin.stop();
    }
    try {
      websocket.stop(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    scheduler.shutdownNow();
  }
}
