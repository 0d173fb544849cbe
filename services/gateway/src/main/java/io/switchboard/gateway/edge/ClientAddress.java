package io.switchboard.gateway.edge;

import java.net.InetSocketAddress;
import java.util.List;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The client's address, what per-address limits count. Behind a load balancer that appends the
 * client to {@code X-Forwarded-For} (AWS ELB/ALB, nginx), set {@code trust-forwarded-for}: the
 * right-most entry is the one that load balancer added (entries to its left are whatever the
 * client sent, so they are not trusted).
 */
public final class ClientAddress {

  private ClientAddress() {}

  public static String of(ServerHttpRequest request, boolean trustForwardedFor) {
    if (trustForwardedFor) {
      List<String> forwarded = request.getHeaders().getOrEmpty("X-Forwarded-For");
      if (!forwarded.isEmpty()) {
        String last = forwarded.get(forwarded.size() - 1);
        String[] hops = last.split(",");
        String client = hops[hops.length - 1].trim();
        if (!client.isEmpty()) {
          return client;
        }
      }
    }
    InetSocketAddress remote = request.getRemoteAddress();
    if (remote == null) {
      return "unknown";
    }
    return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
  }
}
