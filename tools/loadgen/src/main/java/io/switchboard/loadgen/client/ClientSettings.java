package io.switchboard.loadgen.client;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * How every simulated participant behaves on the wire.
 *
 * @param urls where to connect: the gateway's {@code ws://host:8080/groupcall} or signaling pods'
 *     {@code ws://host:8081/groupcall}; participant i starts on {@code urls[i % n]} and, when it
 *     reconnects to resume, tries the next ones in turn
 * @param roomQuery add {@code ?room=<room>} to the URL, so the gateway can route a room's
 *     participants to one pod (pods ignore it)
 * @param candidatesPerStream ICE candidates trickled after each offer
 * @param messagesPerSecond outgoing messages per socket per second at most (0: no limit)
 * @param messageBurst how many may go at once before that rate applies
 * @param timeout how long a join, a stream or a resume may take before it counts as failed
 * @param connectTimeout TCP connect and WebSocket handshake
 * @param resumeWindow how long after a drop a participant keeps reconnecting to resume (the
 *     server keeps it for {@code switchboard.signaling.resume-grace}, 15 s by default)
 * @param pingInterval a WebSocket ping per socket this often (zero: none; browsers send none)
 */
public record ClientSettings(List<URI> urls, boolean roomQuery, int candidatesPerStream, double messagesPerSecond,
    int messageBurst, Duration timeout, Duration connectTimeout, Duration resumeWindow, Duration pingInterval) {

  public ClientSettings {
    urls = List.copyOf(urls);
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("at least one URL is needed");
    }
    for (URI url : urls) {
      if (!"ws".equals(url.getScheme()) && !"wss".equals(url.getScheme())) {
        throw new IllegalArgumentException("not a ws:// or wss:// URL: " + url);
      }
    }
    if (candidatesPerStream < 0 || messageBurst < 1 || messagesPerSecond < 0) {
      throw new IllegalArgumentException("candidates >= 0, burst >= 1 and rate >= 0 are needed");
    }
  }

  /** Defaults: 2 candidates per stream, 40 messages/s (burst 150) per socket, 30 s timeout, 15 s resume window. */
  public static ClientSettings defaults(List<URI> urls) {
    return new ClientSettings(urls, true, 2, 40, 150, Duration.ofSeconds(30), Duration.ofSeconds(10),
        Duration.ofSeconds(15), Duration.ZERO);
  }

  public ClientSettings withTimeout(Duration value) {
    return new ClientSettings(urls, roomQuery, candidatesPerStream, messagesPerSecond, messageBurst, value,
        connectTimeout, resumeWindow, pingInterval);
  }

  public ClientSettings withPingInterval(Duration value) {
    return new ClientSettings(urls, roomQuery, candidatesPerStream, messagesPerSecond, messageBurst, timeout,
        connectTimeout, resumeWindow, value);
  }

  /** The URL for participant {@code index}'s {@code attempt}-th connection, with the room added when asked. */
  public URI url(int index, int attempt, String room) {
    URI base = urls.get(Math.floorMod(index + attempt, urls.size()));
    if (!roomQuery || room == null) {
      return base;
    }
    String param = "room=" + URLEncoder.encode(room, StandardCharsets.UTF_8).replace("+", "%20");
    String s = base.toString();
    int fragment = s.indexOf('#');
    String head = fragment < 0 ? s : s.substring(0, fragment);
    String tail = fragment < 0 ? "" : s.substring(fragment);
    return URI.create(head + (base.getRawQuery() == null ? "?" : "&") + param + tail);
  }
}
