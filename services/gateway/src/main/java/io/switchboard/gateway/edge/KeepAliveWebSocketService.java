package io.switchboard.gateway.edge;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The WebSocket service the gateway proxies with: Spring's handshake, plus, on each client socket,
 * a ping every {@code ping-interval} (idle sockets survive load balancers' idle timeouts: the
 * seeds lost sockets to the ELB's 60 s), a close (1001) when the client has sent nothing, not even
 * a pong, for {@code idle-timeout}, and the upgrade's outcome and latency: from the request's
 * arrival to the pod's handshake, which is when the proxy first sends to the client. When the
 * gateway stops ({@link #drain}), every proxied client is told to {@code reconnect} and closed
 * with 1012: it resumes its session through another replica instead of losing it when the
 * server's graceful shutdown gives up on open sockets.
 */
public final class KeepAliveWebSocketService implements WebSocketService {

  private static final Logger log = LoggerFactory.getLogger(KeepAliveWebSocketService.class);

  private final WebSocketService delegate;
  private final Duration pingInterval;
  private final Duration idleTimeout;
  private final Duration podHandshakeTimeout;
  private final MeterRegistry registry;
  private final Timer upgrades;
  /** The client sockets proxied to a pod right now. */
  private final java.util.Set<KeptAlive> proxied = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Set when the gateway stops: every socket, and any that still arrives, is told to reconnect. */
  private volatile boolean draining;

  /** What a client is told when the gateway stops (the signaling pods' own message for it). */
  static final String RECONNECT = Refusals.json(Map.of("id", "reconnect", "reason",
      "this gateway is stopping; reconnect and resume"));
  /** 1012 Service Restart: the client may reconnect at once (to another replica). */
  static final CloseStatus STOPPING = new CloseStatus(1012, "gateway stopping");

  public KeepAliveWebSocketService(WebSocketService delegate, Duration pingInterval, Duration idleTimeout,
      Duration podHandshakeTimeout, MeterRegistry registry) {
    this.delegate = delegate;
    this.pingInterval = pingInterval;
    this.idleTimeout = idleTimeout;
    this.podHandshakeTimeout = podHandshakeTimeout;
    this.registry = registry;
    this.upgrades = Timer.builder("switchboard.gateway.upgrade.duration")
        .description("From a /groupcall request's arrival to the signaling pod's WebSocket handshake")
        .publishPercentileHistogram()
        .register(registry);
  }

  @Override
  public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
    Long started = exchange.getAttribute(GroupCallGuardGatewayFilterFactory.STARTED_ATTRIBUTE);
    long start = started != null ? started : System.nanoTime();
    SocketLifetime lifetime = SocketLifetime.of(exchange);
    return Mono.defer(() -> delegate.handleRequest(exchange, new WebSocketHandler() {
      @Override
      public List<String> getSubProtocols() {
        return handler.getSubProtocols();
      }

      @Override
      public Mono<Void> handle(WebSocketSession session) {
        if (lifetime != null) {
          lifetime.retain(); // called before the upgrade's Mono completes (reactor-netty runs it on the handshake)
        }
        KeptAlive kept = new KeptAlive(session, () -> {
          upgrades.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
          registry.counter("switchboard.gateway.upgrades", "outcome", "proxied").increment();
        });
        proxied.add(kept);
        if (draining) {
          kept.tellToReconnect(); // arrived while the gateway stops: off to another replica
        }
        // Until the pod's handshake is done, nothing else ends the proxy's attempt: give up when
        // it takes too long (a pod that accepts TCP but never answers), or when the client leaves
        // (its close status completes, empty when the connection just dropped). Whichever of
        // "connected", "timed out", "client left" happens first wins, by one compare-and-set.
        Mono<String> timedOut = Mono.delay(podHandshakeTimeout)
            .filter(t -> kept.abandon())
            .map(t -> "the signaling pod did not answer within " + podHandshakeTimeout.toMillis() + " ms");
        Mono<String> clientLeft = session.closeStatus().map(status -> CLIENT_LEFT).defaultIfEmpty(CLIENT_LEFT)
            .filter(x -> kept.abandon());
        Mono<String> abandoned = Mono.firstWithValue(timedOut, clientLeft)
            .onErrorResume(java.util.NoSuchElementException.class, e -> Mono.never()); // connected first
        return Mono.firstWithSignal(handler.handle(kept).thenReturn(""), abandoned)
            .flatMap(why -> why.isEmpty() ? Mono.<Void>empty() : Mono.<Void>error(new Abandoned(why)))
            .onErrorResume(e -> {
              if (kept.connected()) {
                log.debug("proxied socket {} ended with {}", session.getId(), e.toString());
                return Mono.empty();
              }
              kept.abandon();
              if (e instanceof Abandoned a && a.getMessage().equals(CLIENT_LEFT)) {
                registry.counter("switchboard.gateway.upgrades", "outcome", "abandoned").increment();
                log.debug("client of {} left before its pod answered", session.getId());
                return Mono.empty();
              }
              registry.counter("switchboard.gateway.upgrades", "outcome", "failed").increment();
              log.warn("no WebSocket to the signaling pod for {}: {}", session.getId(), e.getMessage());
              return session.send(Mono.just(session.textMessage(Refusals.json(Map.of("id", "error", "code",
                      "unavailable", "message", "the signaling pod could not be reached; retry")))))
                  .then(session.close(new CloseStatus(1011, "signaling pod unreachable; retry")))
                  .onErrorResume(x -> Mono.empty());
            })
            .doFinally(signal -> {
              proxied.remove(kept);
              if (lifetime != null) {
                lifetime.release();
              }
            });
      }
    })).subscribeOn(eventLoopOf(exchange));
  }

  /**
   * The gateway is stopping: tells every proxied client to {@code reconnect} (then closes it with
   * 1012, which ends its pod socket too, so the pod holds the participant for a resume), and waits
   * up to {@code grace} for the sockets to end. Sockets that arrive meanwhile get the same.
   *
   * @return how many sockets were told
   */
  public int drain(Duration grace) {
    draining = true;
    List<KeptAlive> now = List.copyOf(proxied);
    log.info("stopping: telling {} proxied sockets to reconnect elsewhere", now.size());
    now.forEach(KeptAlive::tellToReconnect);
    long deadline = System.nanoTime() + grace.toNanos();
    while (!proxied.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return now.size();
  }

  /** The client sockets proxied right now. */
  public int proxiedSockets() {
    return proxied.size();
  }

  /**
   * The connection's own event loop, where the upgrade must start. The filters before it finish
   * on whatever thread answered last (Redis, a JWKS fetch, the load balancer's first health
   * round), and Reactor Netty's upgrade started from a foreign thread lost a frame the client sent
   * right after the 101 about once in forty sockets (it reached the connection before the
   * WebSocket operations were bound to it); started on the event loop it never did.
   */
  static reactor.core.scheduler.Scheduler eventLoopOf(ServerWebExchange exchange) {
    Object request = org.springframework.http.server.reactive.ServerHttpRequestDecorator
        .getNativeRequest(exchange.getRequest());
    if (request instanceof reactor.netty.Connection connection) {
      io.netty.channel.EventLoop loop = connection.channel().eventLoop();
      return reactor.core.scheduler.Schedulers.fromExecutor(command -> {
        if (loop.inEventLoop()) {
          command.run();
        } else {
          loop.execute(command);
        }
      });
    }
    return reactor.core.scheduler.Schedulers.immediate();
  }

  private static final String CLIENT_LEFT = "the client left";

  /** The proxy's attempt ended before the pod's handshake; the message says why. */
  private static final class Abandoned extends RuntimeException {
    Abandoned(String why) {
      super(why, null, false, false);
    }
  }

  private static final int PENDING = 0;
  private static final int CONNECTED = 1;
  private static final int ABANDONED = 2;

  /** The client's socket, with pings merged into what the proxy sends and idleness watched. */
  private final class KeptAlive implements WebSocketSession {
    private final WebSocketSession session;
    private final Runnable onConnected;
    /** PENDING until the pod's handshake is done (CONNECTED) or the attempt is given up (ABANDONED). */
    private final java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger();

    boolean connected() {
      return state.get() == CONNECTED;
    }

    boolean abandon() {
      return state.compareAndSet(PENDING, ABANDONED);
    }
    private volatile long lastHeard = System.nanoTime();
    /** The {@code reconnect} to send when the gateway stops, merged into what the proxy sends. */
    private final Sinks.One<WebSocketMessage> stopping = Sinks.one();
    private final java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();

    /** Tells the client to reconnect, then closes its socket (and so the pod's) with 1012. */
    void tellToReconnect() {
      if (!told.compareAndSet(false, true)) {
        return;
      }
      registry.counter("switchboard.gateway.drained.sockets").increment();
      stopping.tryEmitValue(session.textMessage(RECONNECT));
      // The close frame after the message: the message goes out with the proxy's own frames.
      Mono.delay(Duration.ofMillis(250)).then(session.close(STOPPING)).subscribe(v -> { }, e -> { });
    }

    KeptAlive(WebSocketSession session, Runnable onConnected) {
      this.session = session;
      this.onConnected = onConnected;
    }

    @Override
    public Mono<Void> send(Publisher<WebSocketMessage> messages) {
      if (state.compareAndSet(PENDING, CONNECTED)) {
        onConnected.run(); // the proxy sends once the pod's handshake is done
      } else if (state.get() == ABANDONED) {
        return Mono.empty(); // given up on at that very moment: the client is told already
      }
      Sinks.Empty<Void> done = Sinks.empty();
      Flux<WebSocketMessage> proxied = Flux.from(messages).doFinally(s -> done.tryEmitEmpty());
      Flux<WebSocketMessage> pings = Flux.interval(pingInterval, pingInterval)
          .takeUntilOther(done.asMono())
          .takeUntilOther(session.closeStatus())
          .handle((tick, sink) -> {
            if (System.nanoTime() - lastHeard > idleTimeout.toNanos()) {
              registry.counter("switchboard.gateway.idle.closes").increment();
              session.close(new CloseStatus(1001, "idle timeout")).subscribe(v -> { }, e -> { });
              return;
            }
            sink.next(session.pingMessage(f -> f.wrap(new byte[0])));
          });
      return session.send(Flux.merge(proxied, pings, stopping.asMono()));
    }

    /**
     * What the client sends, as the proxy reads it (once the pod's handshake is done: frames sent
     * before wait in Reactor Netty's inbound buffer, and TCP backpressure holds the client).
     */
    @Override
    public Flux<WebSocketMessage> receive() {
      return session.receive()
          .doOnNext(message -> lastHeard = System.nanoTime())
          .filter(message -> message.getType() != WebSocketMessage.Type.PONG); // ours; the pod did not ping
    }

    @Override
    public String getId() {
      return session.getId();
    }

    @Override
    public HandshakeInfo getHandshakeInfo() {
      return session.getHandshakeInfo();
    }

    @Override
    public DataBufferFactory bufferFactory() {
      return session.bufferFactory();
    }

    @Override
    public Map<String, Object> getAttributes() {
      return session.getAttributes();
    }

    @Override
    public boolean isOpen() {
      return session.isOpen();
    }

    @Override
    public Mono<Void> close(CloseStatus status) {
      return session.close(status);
    }

    @Override
    public Mono<CloseStatus> closeStatus() {
      return session.closeStatus();
    }

    @Override
    public WebSocketMessage textMessage(String payload) {
      return session.textMessage(payload);
    }

    @Override
    public WebSocketMessage binaryMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
      return session.binaryMessage(payloadFactory);
    }

    @Override
    public WebSocketMessage pingMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
      return session.pingMessage(payloadFactory);
    }

    @Override
    public WebSocketMessage pongMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
      return session.pongMessage(payloadFactory);
    }
  }
}
