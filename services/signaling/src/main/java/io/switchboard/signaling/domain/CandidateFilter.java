package io.switchboard.signaling.domain;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which browser ICE candidates reach KMS. A candidate names an address KMS will send connectivity
 * checks to: one naming loopback, link-local (the cloud's metadata service lives at
 * 169.254.169.254), unspecified, multicast or broadcast addresses, or the cluster's own ranges
 * ({@code switchboard.signaling.ice.blocked-ranges}: the Service and Pod CIDRs), would make the
 * media server probe the inside of the cluster for whoever is in a call. Those are dropped (the
 * call does not need them: a browser's real paths are public, or private ranges on its own LAN),
 * as is a candidate naming a host that is not an IP literal or an mDNS {@code .local} name (KMS
 * would resolve it with the cluster's DNS). End-of-candidates ({@code ""}) always passes.
 */
public final class CandidateFilter {

  /** Always dropped, whatever is configured. */
  public static final List<String> ALWAYS_BLOCKED = List.of("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16",
      "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32", "::/128", "::1/128", "fe80::/10", "ff00::/8");

  /** Everything passes (tests of other things). */
  public static final CandidateFilter NONE = new CandidateFilter(List.of(), false);

  private static final Pattern SPACES = Pattern.compile(" +");
  private static final Pattern MDNS = Pattern.compile("[0-9A-Za-z-]{1,63}\\.local");

  private final List<Range> blocked;
  private final boolean filtering;

  private CandidateFilter(List<Range> blocked, boolean filtering) {
    this.blocked = blocked;
    this.filtering = filtering;
  }

  /**
   * The default ranges plus {@code extra} (CIDR, e.g. {@code 10.100.0.0/16}, {@code fd00::/8}).
   *
   * @throws IllegalArgumentException naming the entry that is not a CIDR range
   */
  public static CandidateFilter blocking(List<String> extra) {
    List<Range> ranges = new ArrayList<>();
    for (String cidr : ALWAYS_BLOCKED) {
      ranges.add(Range.parse(cidr));
    }
    for (String cidr : extra) {
      if (!cidr.isBlank()) {
        ranges.add(Range.parse(cidr.trim()));
      }
    }
    return new CandidateFilter(List.copyOf(ranges), true);
  }

  /** Why this candidate line must not reach KMS, or null when it may. */
  public String refuses(String candidate) {
    if (!filtering || candidate.isEmpty()) {
      return null;
    }
    // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
    String[] fields = SPACES.split(candidate.trim());
    if (fields.length < 8 || !"typ".equals(fields[6])) {
      return "malformed";
    }
    String address = fields[4];
    if (MDNS.matcher(address).matches()) {
      return null; // a browser hiding its LAN address: KMS cannot reach it through the cluster's DNS
    }
    InetAddress ip = literal(address);
    if (ip == null) {
      return "hostname";
    }
    for (Range range : blocked) {
      if (range.contains(ip)) {
        return "blocked-address";
      }
    }
    return null;
  }

  /** The address if it is an IP literal (never a DNS lookup), else null. */
  static InetAddress literal(String address) {
    String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    boolean v4 = a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = a.contains(":") && a.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(a); // a literal: parsed, not resolved
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** A CIDR range. An IPv4-mapped IPv6 address ({@code ::ffff:127.0.0.1}) is parsed, and checked, as IPv4. */
  record Range(BigInteger network, BigInteger mask, int bytes) {
    static Range parse(String cidr) {
      int slash = cidr.indexOf('/');
      InetAddress address = slash < 0 ? null : literal(cidr.substring(0, slash));
      int prefix;
      try {
        prefix = slash < 0 ? -1 : Integer.parseInt(cidr.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (address == null || prefix < 0) {
        throw new IllegalArgumentException("switchboard.signaling.ice.blocked-ranges: '" + cidr
            + "' is not a CIDR range (e.g. 10.100.0.0/16 or fd00::/8)");
      }
      byte[] raw = address.getAddress();
      int bits = raw.length * 8;
      if (prefix > bits) {
        throw new IllegalArgumentException("switchboard.signaling.ice.blocked-ranges: '" + cidr + "' has a prefix over "
            + bits + " bits");
      }
      BigInteger all = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
      BigInteger mask = all.shiftRight(prefix).xor(all);
      return new Range(new BigInteger(1, raw).and(mask), mask, raw.length);
    }

    boolean contains(InetAddress ip) {
      byte[] raw = ip.getAddress();
      return raw.length == bytes && new BigInteger(1, raw).and(mask).equals(network);
    }
  }

  @Override
  public String toString() {
    return filtering ? "CandidateFilter[" + blocked.size() + " ranges]" : "CandidateFilter[off]";
  }
}
