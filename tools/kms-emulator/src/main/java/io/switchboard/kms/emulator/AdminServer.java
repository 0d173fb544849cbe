package io.switchboard.kms.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.kms.emulator.model.MediaServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * Fault injection over HTTP, on its own port, for tests that run the emulator as a process:
 *
 * <pre>
 * GET  /status                    what the emulator holds and which faults are on
 * POST /faults/drop               drop every client connection (clients see 1006)
 * POST /faults/hang               stop answering anything (requests, pings, events)
 * POST /faults/latency?millis=N   add N ms before each request is handled
 * POST /faults/clear              no hang, no latency
 * POST /load?cpu=P                getUsedCpu reports P; without cpu, back to the load model
 * POST /exit                      the process dies at once
 * </pre>
 *
 * Every answer is JSON; errors are {@code {"error": "..."}} with a 4xx status.
 */
final class AdminServer {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Set<String> POST_PATHS =
      Set.of("/faults/drop", "/faults/hang", "/faults/latency", "/faults/clear", "/load", "/exit");

  private final HttpServer http;
  private final KmsEmulator emulator;
  private final ObjectMapper mapper;

  private AdminServer(HttpServer http, KmsEmulator emulator, ObjectMapper mapper) {
    this.http = http;
    this.emulator = emulator;
    this.mapper = mapper;
  }

  static AdminServer start(KmsEmulator emulator, ObjectMapper mapper) throws IOException {
    EmulatorConfig config = emulator.config();
    HttpServer http = HttpServer.create(new InetSocketAddress(config.host(), config.adminPort()), 16);
    AdminServer admin = new AdminServer(http, emulator, mapper);
    http.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "kms-emulator-admin");
      t.setDaemon(true);
      return t;
    }));
    http.createContext("/", admin::handle);
    http.start();
    return admin;
  }

  int port() {
    return http.getAddress().getPort();
  }

  void stop() {
    http.stop(0);
    ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      Map<String, String> query = query(exchange.getRequestURI());
      Faults faults = emulator.faults();
      if (path.equals("/status")) {
        if (!method.equals("GET")) {
          respond(exchange, 405, error("use GET"));
          return;
        }
        respond(exchange, 200, status());
        return;
      }
      if (!POST_PATHS.contains(path)) {
        respond(exchange, 404, error("no such endpoint: " + path));
        return;
      }
      if (!method.equals("POST")) {
        respond(exchange, 405, error("use POST"));
        return;
      }
      switch (path) {
        case "/faults/drop" -> {
          emulator.dropConnections();
          respond(exchange, 200, status());
        }
        case "/faults/hang" -> {
          faults.hang(true);
          respond(exchange, 200, status());
        }
        case "/faults/latency" -> {
          Long millis = number(query.get("millis"));
          if (millis == null || millis < 0) {
            respond(exchange, 400, error("millis must be a non-negative integer"));
            return;
          }
          faults.latency(Duration.ofMillis(millis));
          respond(exchange, 200, status());
        }
        case "/faults/clear" -> {
          faults.clear();
          respond(exchange, 200, status());
        }
        case "/load" -> {
          String cpu = query.get("cpu");
          Double value = null;
          if (cpu != null) {
            try {
              value = Double.parseDouble(cpu);
            } catch (NumberFormatException e) {
              value = -1.0;
            }
            if (value < 0 || value.isNaN()) {
              respond(exchange, 400, error("cpu must be a non-negative number"));
              return;
            }
          }
          emulator.server().overrideCpu(value);
          respond(exchange, 200, status());
        }
        case "/exit" -> {
          respond(exchange, 200, JSON.objectNode().put("exiting", true));
          exchange.close();
          emulator.exit();
        }
        default -> throw new IllegalStateException(path);
      }
    }
  }

  private ObjectNode status() {
    MediaServer server = emulator.server();
    ObjectNode s = JSON.objectNode().put("url", emulator.url());
    s.put("mediaObjects", server.mediaObjectCount())
        .put("pipelines", server.count("MediaPipeline"))
        .put("webRtcEndpoints", server.count("WebRtcEndpoint"))
        .put("sessions", server.sessionCount())
        .put("usedCpu", server.usedCpu())
        .put("usedMemoryKib", server.usedMemoryKib())
        .put("capacity", emulator.config().capacity());
    s.putObject("faults")
        .put("hung", emulator.faults().hung())
        .put("latencyMillis", emulator.faults().latency().toMillis());
    return s;
  }

  private static ObjectNode error(String message) {
    return JSON.objectNode().put("error", message);
  }

  private static Long number(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> map = new HashMap<>();
    String q = uri.getRawQuery();
    if (q == null) {
      return map;
    }
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        map.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
      }
    }
    return map;
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private void respond(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    byte[] bytes = mapper.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
