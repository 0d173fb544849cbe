package io.switchboard.gateway.edge;

import java.net.InetSocketAddress;
import java.util.List;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The client's address, what per-address limits count. Behind a load balancer that appends the
 * client to {@code X-Forwarded-For} (AWS ELB/ALB, nginx), set {@code trust-forwarded-for}: the
 * right-most entry is the one that load balancer added (entries to its left are whatever the
 * client sent, so they are not trusted). IPv6 clients count per /64.
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
          return bucket(client);
        }
      }
    }
    InetSocketAddress remote = request.getRemoteAddress();
    if (remote == null || remote.getAddress() == null) {
      return "unknown";
    }
    return bucket(remote.getAddress());
  }

  /**
   * What one client is, for limits: an IPv4 address, or an IPv6 /64 (one host usually gets a whole
   * /64 and could rotate through it). A value that is not an IP literal is kept as it is.
   */
  static String bucket(String address) {
    String literal = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
        : address;
    if (!literal.matches("[0-9A-Fa-f:.]+") || literal.isEmpty()) {
      return address; // never resolve names
    }
    try {
      return bucket(java.net.InetAddress.getByName(literal)); // an IP literal: no lookup
    } catch (java.net.UnknownHostException e) {
      return address;
    }
  }

  static String bucket(java.net.InetAddress address) {
    if (address instanceof java.net.Inet6Address) {
      byte[] bytes = address.getAddress();
      java.util.Arrays.fill(bytes, 8, 16, (byte) 0);
      try {
        return java.net.InetAddress.getByAddress(bytes).getHostAddress() + "/64";
      } catch (java.net.UnknownHostException e) {
        throw new IllegalStateException(e); // 16 bytes is a valid address
      }
    }
    return address.getHostAddress();
  }
}
