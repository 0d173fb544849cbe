package io.switchboard.placement.nodes;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/** The fixed list of {@code switchboard.placement.nodes}. */
public final class StaticNodeDiscovery implements NodeDiscovery {

  private final List<DiscoveredNode> nodes;

  public StaticNodeDiscovery(List<URI> urls, int capacity) {
    this.nodes = urls.stream().map(u -> new DiscoveredNode(idOf(u), u.toString(), capacity)).toList();
  }

  /** {@code ws://10.0.0.7:8888/kurento} is node {@code 10-0-0-7-8888}. */
  static String idOf(URI url) {
    if (url.getHost() == null || !(url.getScheme().equals("ws") || url.getScheme().equals("wss"))) {
      throw new IllegalArgumentException("a KMS node URL looks like ws://host:8888/kurento, not " + url);
    }
    int port = url.getPort() > 0 ? url.getPort() : (url.getScheme().equals("wss") ? 443 : 80);
    return (url.getHost() + "-" + port).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
  }

  @Override
  public List<DiscoveredNode> nodes() {
    return nodes;
  }
}
