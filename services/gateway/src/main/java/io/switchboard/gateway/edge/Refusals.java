package io.switchboard.gateway.edge;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** Turns a client away clearly, counted by reason ({@link Refusal}). */
public final class Refusals {

  private static final Logger log = LoggerFactory.getLogger(Refusals.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** Close reasons are at most 123 bytes on the wire. */
  private static final int MAX_REASON_BYTES = 123;

  static final String PROTOCOL_HEADER = "Sec-WebSocket-Protocol";

  private final WebSocketService handshakes;
  private final MeterRegistry registry;

  public Refusals(WebSocketService handshakes, MeterRegistry registry) {
    this.handshakes = handshakes;
    this.registry = registry;
  }

  public static boolean isUpgrade(ServerWebExchange exchange) {
    return "websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade());
  }

  /** Counts a refusal answered elsewhere (a controller's own response). */
  public void count(Refusal refusal) {
    registry.counter("switchboard.gateway.rejections", "reason", refusal.tag()).increment();
  }

  public Mono<Void> refuse(ServerWebExchange exchange, Refusal refusal, String message) {
    count(refusal);
    log.info("refused {} {} from {}: {} ({})", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
        exchange.getRequest().getRemoteAddress(), refusal.tag(), message);
    if (exchange.getResponse().isCommitted()) {
      return Mono.empty();
    }
    if (isUpgrade(exchange)) {
      String frame = json(Map.of("id", "error", "code", refusal.code(), "message", message));
      CloseStatus status = new CloseStatus(refusal.closeCode(), truncate(message));
      List<String> offered = requestedProtocols(exchange.getRequest().getHeaders());
      return handshakes.handleRequest(exchange, new WebSocketHandler() {
        @Override
        public List<String> getSubProtocols() {
          // Accept the protocol the client asked for, or a browser fails the handshake before
          // it could see the close reason.
          return offered.contains(GroupCallGuardGatewayFilterFactory.SUBPROTOCOL)
              ? List.of(GroupCallGuardGatewayFilterFactory.SUBPROTOCOL) : List.of();
        }

        @Override
        public Mono<Void> handle(WebSocketSession session) {
          return session.send(Mono.just(session.textMessage(frame))).then(session.close(status));
        }
      });
    }
    return problem(exchange, refusal.status(), refusal.code(), message);
  }

  /** Answers a plain HTTP request with {@code status} and a problem-JSON body naming {@code code}. */
  public static Mono<Void> problem(ServerWebExchange exchange, org.springframework.http.HttpStatus status, String code,
      String message) {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", "about:blank");
    problem.put("title", status.getReasonPhrase());
    problem.put("status", status.value());
    problem.put("code", code);
    problem.put("detail", message);
    problem.put("instance", exchange.getRequest().getPath().value());
    exchange.getResponse().setStatusCode(status);
    exchange.getResponse().getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    byte[] body = json(problem).getBytes(StandardCharsets.UTF_8);
    return exchange.getResponse().writeWith(Mono.just(exchange.getResponse().bufferFactory().wrap(body)));
  }

  static List<String> requestedProtocols(HttpHeaders headers) {
    List<String> all = new java.util.ArrayList<>();
    for (String value : headers.getOrEmpty(PROTOCOL_HEADER)) {
      for (String p : value.split(",")) {
        if (!p.isBlank()) {
          all.add(p.trim());
        }
      }
    }
    return all;
  }

  private static String truncate(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_REASON_BYTES) {
      return reason;
    }
    return new String(bytes, 0, MAX_REASON_BYTES - 3, StandardCharsets.UTF_8).replace("\uFFFD", "") + "...";
  }

  static String json(Object value) {
    return JSON.writeValueAsString(value);
  }
}
