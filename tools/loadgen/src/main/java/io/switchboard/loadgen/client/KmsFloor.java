package io.switchboard.loadgen.client;

import io.switchboard.groupcall.protocol.IceCandidate;
import io.switchboard.loadgen.media.Candidates;
import io.switchboard.loadgen.media.OfferFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.random.RandomGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Switchboard's join and offer would cost with nothing but KMS and one Redis round trip in
 * the way, measured while a run goes on: the floor the issue compares them with. Every
 * {@code interval}, one after another on its own KMS session and thread, by raw JSON-RPC:
 * <ul>
 *   <li><b>join floor</b>: {@code create} WebRtcEndpoint, {@code subscribe} to its
 *       IceCandidateFound, one Redis {@code PING} — what a join into an open room asks of KMS;</li>
 *   <li><b>offer floor</b>: {@code create} WebRtcEndpoint, {@code subscribe}, {@code connect} the
 *       publisher into it, {@code addIceCandidate} × the run's candidates per stream,
 *       {@code processOffer}, one Redis {@code PING} — what a subscription asks before its answer.</li>
 * </ul>
 * Each KMS call waits for its answer before the next is sent, as a plain Kurento application
 * does. The endpoints are released after each chain (not timed); the pipeline when it closes.
 * Without a Redis URL the chains have no Redis step.
 */
public final class KmsFloor implements AutoCloseable {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final WebSocket socket;
  private final RedisPing redis;
  private final OfferFactory offers;
  private final Candidates candidates;
  private final int candidatesPerStream;
  private final LongConsumer joinFloor;
  private final LongConsumer offerFloor;
  private final JsonMapper json = JsonMapper.builder().build();
  private final AtomicLong nextId = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
  private final StringBuilder text = new StringBuilder();
  private volatile String sessionId;
  private String pipeline;
  private String publisher;
  private boolean offerNext;
  private volatile ScheduledFuture<?> ticks;

  private KmsFloor(WebSocket socket, RedisPing redis, RandomGenerator random, int candidatesPerStream,
      LongConsumer joinFloor, LongConsumer offerFloor) {
    this.socket = socket;
    this.redis = redis;
    this.offers = new OfferFactory(random);
    this.candidates = new Candidates(random);
    this.candidatesPerStream = candidatesPerStream;
    this.joinFloor = joinFloor;
    this.offerFloor = offerFloor;
  }

  /**
   * Connects to {@code kmsUrl} (and {@code redisUrl}, when not null), makes the pipeline and the
   * publisher every offer chain connects from, and starts measuring on {@code timer}. Fails with a
   * message naming the URL that cannot be reached.
   */
  public static KmsFloor start(WebSockets sockets, ScheduledExecutorService timer, URI kmsUrl, URI redisUrl,
      Duration interval, RandomGenerator random, int candidatesPerStream, LongConsumer joinFloor,
      LongConsumer offerFloor) {
    RedisPing redis = redisUrl == null ? null : RedisPing.connect(redisUrl);
    KmsFloor[] floor = new KmsFloor[1];
    WebSocket socket;
    try {
      // floor[0] is set before the first request is sent, so before any answer.
      socket = KmsProbe.connect(sockets, kmsUrl, (data, last) -> floor[0].received(data, last));
    } catch (RuntimeException e) {
      if (redis != null) {
        redis.close();
      }
      throw e;
    }
    floor[0] = new KmsFloor(socket, redis, random, candidatesPerStream, joinFloor, offerFloor);
    try {
      floor[0].pipeline = floor[0].create("MediaPipeline", null);
      floor[0].publisher = floor[0].create("WebRtcEndpoint", floor[0].pipeline);
    } catch (RuntimeException e) {
      floor[0].close();
      throw new IllegalArgumentException("--kms-url " + kmsUrl + ": the media server did not create a pipeline ("
          + e.getMessage() + ")", e);
    }
    floor[0].ticks = timer.scheduleWithFixedDelay(floor[0]::measureOne, interval.toNanos(), interval.toNanos(),
        TimeUnit.NANOSECONDS);
    return floor[0];
  }

  /** One chain, join and offer in turn. */
  private void measureOne() {
    try {
      if (offerNext) {
        offerChain();
      } else {
        joinChain();
      }
      offerNext = !offerNext;
    } catch (RuntimeException e) {
      // A busy or restarting server: this sample is lost, the next one tries again.
    }
  }

  private void joinChain() {
    long start = System.nanoTime();
    String endpoint = create("WebRtcEndpoint", pipeline);
    subscribe(endpoint);
    pingRedis();
    joinFloor.accept(System.nanoTime() - start);
    release(endpoint);
  }

  private void offerChain() {
    String offer = offers.subscribeOffer();
    List<IceCandidate> trickled = candidates.forConnection(0, candidatesPerStream);
    long start = System.nanoTime();
    String endpoint = create("WebRtcEndpoint", pipeline);
    subscribe(endpoint);
    invoke(publisher, "connect", params -> params.put("sink", endpoint));
    for (IceCandidate c : trickled) {
      invoke(endpoint, "addIceCandidate", params -> params.putObject("candidate")
          .put("__module__", "kurento").put("__type__", "IceCandidate")
          .put("candidate", c.candidate()).put("sdpMid", c.sdpMid()).put("sdpMLineIndex", c.sdpMLineIndex()));
    }
    invoke(endpoint, "processOffer", params -> params.put("offer", offer));
    pingRedis();
    offerFloor.accept(System.nanoTime() - start);
    release(endpoint);
  }

  private void pingRedis() {
    if (redis != null) {
      redis.ping();
    }
  }

  private String create(String type, String pipelineId) {
    ObjectNode params = json.createObjectNode().put("type", type);
    ObjectNode ctor = params.putObject("constructorParams");
    if (pipelineId != null) {
      ctor.put("mediaPipeline", pipelineId);
    }
    params.putObject("properties");
    return call("create", params).path("value").asString();
  }

  private void subscribe(String object) {
    call("subscribe", json.createObjectNode().put("type", "IceCandidateFound").put("object", object));
  }

  private void invoke(String object, String operation, java.util.function.Consumer<ObjectNode> operationParams) {
    ObjectNode params = json.createObjectNode().put("object", object).put("operation", operation);
    operationParams.accept(params.putObject("operationParams"));
    call("invoke", params);
  }

  private void release(String object) {
    call("release", json.createObjectNode().put("object", object));
  }

  /** One request, its answer waited for; an error answer throws. */
  private JsonNode call(String method, ObjectNode params) {
    long id = nextId.incrementAndGet();
    if (sessionId != null) {
      params.put("sessionId", sessionId);
    }
    ObjectNode request = json.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
    request.set("params", params);
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    calls.put(id, answer);
    try {
      socket.sendText(json.writeValueAsString(request), true).join();
      JsonNode response = answer.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (response.has("error")) {
        throw new IllegalStateException(method + ": " + response.path("error").path("message").asString());
      }
      JsonNode result = response.path("result");
      if (sessionId == null && result.has("sessionId")) {
        sessionId = result.path("sessionId").asString();
      }
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(method + ": no answer within " + CALL_TIMEOUT.toSeconds() + " s", e);
    } finally {
      calls.remove(id);
    }
  }

  private void received(CharSequence data, boolean last) {
    String message;
    synchronized (text) {
      text.append(data);
      if (!last) {
        return;
      }
      message = text.toString();
      text.setLength(0);
    }
    JsonNode node = json.readTree(message);
    JsonNode id = node.path("id");
    if (id.isNumber()) {
      CompletableFuture<JsonNode> call = calls.get(id.asLong());
      if (call != null) {
        call.complete(node);
      }
    } // else an event (the candidates of an endpoint nobody negotiates further)
  }

  @Override
  public void close() {
    if (ticks != null) {
      ticks.cancel(false);
    }
    try {
      if (pipeline != null) {
        release(pipeline);
      }
    } catch (RuntimeException e) {
      // gone with the server: nothing to release
    }
    socket.abort();
    if (redis != null) {
      redis.close();
    }
  }

  /** One Redis connection answering {@code PING}, spoken in RESP without a client library. */
  static final class RedisPing implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private RedisPing(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
      this.in = socket.getInputStream();
    }

    /** {@code redis://[[user]:password@]host[:port]}; AUTH first when a password is given. */
    static RedisPing connect(URI url) {
      if (!"redis".equals(url.getScheme()) || url.getHost() == null) {
        throw new IllegalArgumentException("--redis-url: a redis:// URL, like redis://localhost:6379");
      }
      int port = url.getPort() > 0 ? url.getPort() : 6379;
      try {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) CALL_TIMEOUT.toMillis());
        socket.connect(new InetSocketAddress(url.getHost(), port), (int) CALL_TIMEOUT.toMillis());
        RedisPing redis = new RedisPing(socket);
        String userInfo = url.getUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
          int colon = userInfo.indexOf(':');
          String user = colon < 0 ? "" : userInfo.substring(0, colon);
          String password = colon < 0 ? userInfo : userInfo.substring(colon + 1);
          String reply = user.isEmpty() ? redis.command("AUTH", password) : redis.command("AUTH", user, password);
          if (!reply.startsWith("+OK")) {
            redis.close();
            throw new IllegalArgumentException("--redis-url " + url.getHost() + ":" + port + ": AUTH refused (" + reply + ")");
          }
        }
        redis.ping();
        return redis;
      } catch (IOException e) {
        throw new IllegalArgumentException("--redis-url " + url.getHost() + ":" + port + ": cannot connect to Redis ("
            + e + ")", e);
      }
    }

    void ping() {
      try {
        String reply = command("PING");
        if (!reply.startsWith("+PONG")) {
          throw new IllegalStateException("Redis answered PING with " + reply);
        }
      } catch (IOException e) {
        throw new IllegalStateException("Redis PING: " + e, e);
      }
    }

    /** A command in RESP; its one-line reply. */
    private String command(String... words) throws IOException {
      StringBuilder s = new StringBuilder("*").append(words.length).append("\r\n");
      for (String w : words) {
        s.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(w).append("\r\n");
      }
      out.write(s.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      if (c == -1) {
        throw new IOException("Redis closed the connection");
      }
      return line.toString();
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
