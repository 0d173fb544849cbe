package io.switchboard.signaling.domain;

import io.switchboard.groupcall.protocol.IceCandidate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Connections to KMS made before they are needed. Before the pod turns ready ({@link #warm}) it
 * opens every session to every node placement knows and rehearses a join's and a subscription's
 * KMS calls on each node (a pipeline, two endpoints with ICE listeners, connected, an offer
 * answered, candidates gathered, then released) a number of times, so that its first burst pays
 * neither for connecting nor for code the JIT has not compiled yet. Afterwards, on its own
 * thread ({@code kms-warmup}), it looks at placement's registry every {@code refresh} and opens
 * nodes it has not talked to yet, before their first room arrives. A node that cannot be reached
 * is logged and tried again at the next look; it never holds the pod back for longer than the
 * warm-up's deadline.
 */
public final class MediaWarmup implements AutoCloseable {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MediaWarmup.class);

  /** A Chromium 156 {@code recvonly} audio+video offer, as a browser subscribing to a stream sends. */
  static final String REHEARSAL_OFFER = readOffer();
  /** A browser's host candidate, from the reference traces (documentation address). */
  static final IceCandidate REHEARSAL_CANDIDATE = new IceCandidate(
      "candidate:445512934 1 udp 2122194687 192.0.2.2 53056 typ host generation 0", "0", 0);

  private final MediaServer media;
  private final KnownNodes nodes;
  private final Duration refresh;
  private final int rehearsals;
  /** Nodes opened and rehearsed; a node that leaves placement's registry is forgotten, so it is opened again when it returns. */
  private final Set<String> opened = ConcurrentHashMap.newKeySet();
  private final Set<String> opening = ConcurrentHashMap.newKeySet();
  private final ExecutorService openers = Executors.newFixedThreadPool(4, daemon("kms-warmup-open"));
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(daemon("kms-warmup"));

  /**
   * @param rehearsals how many times each node's rehearsal runs before the pod turns ready (at
   *     least once): enough for the JIT to compile the KMS client's paths before the first burst
   *     (a node opened later, in the background, is rehearsed once)
   */
  public MediaWarmup(MediaServer media, KnownNodes nodes, Duration refresh, int rehearsals) {
    if (rehearsals < 1) {
      throw new IllegalArgumentException("kms-warmup-rehearsals must be at least 1, not " + rehearsals);
    }
    this.media = media;
    this.nodes = nodes;
    this.refresh = refresh;
    this.rehearsals = rehearsals;
  }

  /**
   * Opens and rehearses every known node, side by side, waiting at most {@code deadline}; then
   * keeps looking for new nodes in the background. Returns the nodes that are ready.
   */
  public List<String> warm(Duration deadline) {
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (String url : known()) {
      if (opening.add(url)) {
        started.add(CompletableFuture.runAsync(() -> open(url, rehearsals), openers));
      }
    }
    try {
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("KMS warm-up not finished within {}: the pod turns ready with {} of {} nodes open",
          deadline, opened.size(), started.size());
    } catch (java.util.concurrent.ExecutionException e) {
      log.warn("KMS warm-up failed: {}", e.getCause().toString()); // open() catches; not expected
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.scheduleWithFixedDelay(this::refresh, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
    return List.copyOf(opened);
  }

  /** Opens the nodes placement names that this pod has not opened yet (one look). */
  void refresh() {
    List<String> urls = known();
    opened.retainAll(urls);
    for (String url : urls) {
      if (!opened.contains(url) && opening.add(url)) {
        openers.execute(() -> open(url, 1));
      }
    }
  }

  private List<String> known() {
    try {
      return nodes.urls();
    } catch (RuntimeException e) {
      log.debug("placement's node registry not readable: {}", e.toString());
      return List.of();
    }
  }

  /**
   * Opens one node and rehearses on it {@code times} times, stopping early when the pod is
   * closed; {@code url} is in {@link #opening} until it returns.
   */
  private void open(String url, int times) {
    long start = System.nanoTime();
    try {
      media.open(url);
      rehearse(url);
      opened.add(url); // usable from here on: the remaining rehearsals only warm the code
      int done = 1;
      try {
        for (; done < times && !Thread.currentThread().isInterrupted(); done++) {
          rehearse(url);
        }
      } catch (MediaServer.MediaException e) {
        log.warn("KMS node {} is open; its rehearsals stopped after {} of {}: {}", url, done, times, e.getMessage());
      }
      log.info("KMS node {} open and rehearsed {} time(s) in {} ms", url, done,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } catch (MediaServer.MediaException e) {
      log.warn("KMS node {} could not be opened ahead of use (tried again in {}): {}", url, refresh, e.getMessage());
    } finally {
      opening.remove(url);
    }
  }

  /**
   * What a join and a subscription ask of KMS: a pipeline, a publisher, a receiver connected to it
   * with an early candidate, an offer answered and candidates gathered — nothing is sent anywhere,
   * and all is released at once.
   */
  private void rehearse(String url) {
    String pipeline = media.createPipeline(url);
    try {
      String publisher = media.createEndpoint(url, pipeline, candidate -> { });
      String receiver = media.createEndpoint(url, pipeline, candidate -> { });
      media.negotiate(url, receiver, publisher, List.of(REHEARSAL_CANDIDATE), REHEARSAL_OFFER);
      media.gatherCandidates(url, receiver);
    } finally {
      media.release(url, pipeline); // and the endpoints with it
    }
  }

  /** The browser offer rehearsals use. */
  public static String rehearsalOffer() {
    return REHEARSAL_OFFER;
  }

  /** Nodes open and rehearsed, for tests and logs. */
  public Set<String> opened() {
    return Set.copyOf(opened);
  }

  @Override
  public void close() {
    thread.shutdownNow();
    openers.shutdownNow();
  }

  private static String readOffer() {
    try (var in = MediaWarmup.class.getResourceAsStream("/kms/rehearsal-offer.sdp")) {
      if (in == null) {
        throw new IllegalStateException("kms/rehearsal-offer.sdp is missing from the classpath");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
