package io.switchboard.loadgen.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SDP offers as Chromium writes them for the group-call tutorial: {@code sendonly} audio+video to
 * publish one's camera, {@code recvonly} to receive another's. Each offer is a real Chromium 156
 * offer (the ones the KMS emulator's tests check its answers against) with what a browser makes
 * fresh per peer connection renewed: origin session id, ICE credentials, DTLS fingerprint, media
 * stream and track ids, SSRCs and CNAME. Codecs, m-lines and mids ({@code 0}, {@code 1}) stay as
 * Chromium wrote them, so KMS (real or emulated) answers them as it answers a browser. Safe for
 * many threads (one random source, taken in turn).
 */
public final class OfferFactory {

  private static final Pattern ORIGIN = Pattern.compile("(?m)^o=- \\d+ ");
  private static final Pattern UFRAG = Pattern.compile("(?m)^a=ice-ufrag:\\S+");
  private static final Pattern PWD = Pattern.compile("(?m)^a=ice-pwd:\\S+");
  private static final Pattern FINGERPRINT = Pattern.compile("(?m)^a=fingerprint:sha-256 \\S+");
  private static final Pattern UUIDS = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern SSRC_LINE = Pattern.compile("(?m)^a=ssrc(?:-group)?:.*$");
  private static final Pattern NUMBER = Pattern.compile("\\b\\d{6,10}\\b");
  private static final Pattern CNAME = Pattern.compile("cname:\\S+");
  private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  private final String sendonly;
  private final String recvonly;
  private final RandomGenerator random;
  /** Offers made ahead of a run ({@link #prepare}), handed out first. */
  private final java.util.ArrayDeque<String> readyToPublish = new java.util.ArrayDeque<>();
  private final java.util.ArrayDeque<String> readyToReceive = new java.util.ArrayDeque<>();

  public OfferFactory(RandomGenerator random) {
    this.sendonly = resource("chromium-sendonly.sdp");
    this.recvonly = resource("chromium-recvonly.sdp");
    this.random = random;
  }

  /**
   * Makes {@code publish} publishing and {@code receive} receiving offers now, to be handed out
   * before any made on demand: a browser makes its offers on its own machine, so a run makes
   * what it can before its clock starts, and does not share the measured machine's CPU with them.
   */
  public synchronized void prepare(int publish, int receive) {
    for (int i = 0; i < publish; i++) {
      readyToPublish.add(fresh(sendonly));
    }
    for (int i = 0; i < receive; i++) {
      readyToReceive.add(fresh(recvonly));
    }
  }

  /** An offer that publishes one's camera and microphone ({@code a=sendonly}). */
  public synchronized String publishOffer() {
    String ready = readyToPublish.poll();
    return ready != null ? ready : fresh(sendonly);
  }

  /** An offer that receives another participant's camera and microphone ({@code a=recvonly}). */
  public synchronized String subscribeOffer() {
    String ready = readyToReceive.poll();
    return ready != null ? ready : fresh(recvonly);
  }

  private String fresh(String template) {
    String sdp = ORIGIN.matcher(template).replaceAll("o=- " + (random.nextLong() & Long.MAX_VALUE) + " ");
    // One ICE and DTLS identity per peer connection, shared by its bundled m-lines (as Chromium).
    sdp = UFRAG.matcher(sdp).replaceAll("a=ice-ufrag:" + randomChars(4));
    sdp = PWD.matcher(sdp).replaceAll("a=ice-pwd:" + randomChars(24));
    sdp = FINGERPRINT.matcher(sdp).replaceAll("a=fingerprint:sha-256 " + fingerprint());
    // SSRCs first, while the template's ssrc lines hold no other digit runs.
    Map<String, String> ssrcs = new HashMap<>();
    sdp = SSRC_LINE.matcher(sdp).replaceAll(line -> Matcher.quoteReplacement(NUMBER.matcher(line.group())
        .replaceAll(n -> ssrcs.computeIfAbsent(n.group(), old -> Long.toString(random.nextLong(1, 1L << 32))))));
    sdp = CNAME.matcher(sdp).replaceAll("cname:" + Matcher.quoteReplacement(randomChars(16)));
    return renew(UUIDS, sdp, old -> uuid().toString());
  }

  /** Replaces each distinct match with a new value, the same one wherever the old value recurs. */
  private static String renew(Pattern pattern, String text, java.util.function.UnaryOperator<String> fresh) {
    Map<String, String> renewed = new HashMap<>();
    return pattern.matcher(text).replaceAll(m -> Matcher.quoteReplacement(renewed.computeIfAbsent(m.group(), fresh)));
  }

  /** A version 4 UUID from this factory's random source (Chromium's msid ids are random UUIDs). */
  private UUID uuid() {
    return new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
        (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L);
  }

  private String randomChars(int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(ICE_CHARS.charAt(random.nextInt(ICE_CHARS.length())));
    }
    return s.toString();
  }

  private String fingerprint() {
    StringBuilder s = new StringBuilder(95);
    for (int i = 0; i < 32; i++) {
      if (i > 0) {
        s.append(':');
      }
      s.append(String.format("%02X", random.nextInt(256)));
    }
    return s.toString();
  }

  private static String resource(String name) {
    try (InputStream in = OfferFactory.class.getResourceAsStream("/sdp/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource /sdp/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
