package io.switchboard.kms.emulator.sdp;

import io.switchboard.kms.emulator.sdp.SessionDescription.MediaSection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Writes SDP the way KMS 7.3 does (../shared/reference/kurento-protocol.md §9 and the real
 * answers under ../shared/reference/sdp/): answers that mirror an offer, KMS's own offers, and the
 * local description with gathered candidates inline.
 */
public final class KmsSdp {

  private static final String CRLF = "\r\n";
  private static final String ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  private static final Set<String> KEPT_RTCP_FB = Set.of("goog-remb", "ccm fir", "nack", "nack pli");
  /** Codecs of the reference KMS's SdpEndpoint.conf.json, by encoding name and clock rate. */
  private static final Set<String> AUDIO_CODECS = Set.of("opus/48000", "pcmu/8000", "pcma/8000");
  private static final Set<String> VIDEO_CODECS = Set.of("vp8/90000", "h264/90000");

  private KmsSdp() {}

  /** KMS's answer to {@code offer}: same m-lines and mids, codecs kept from the offer, direction mirrored. */
  public static String answer(SessionDescription offer, SdpIdentity id) {
    List<String> accepted = new ArrayList<>();
    List<String> sections = new ArrayList<>();
    int index = 0;
    for (MediaSection m : offer.media()) {
      List<String> kept = keptPayloads(m);
      if (!kept.isEmpty()) {
        m.mid().ifPresent(accepted::add);
      }
      sections.add(answerSection(m, kept, id, index));
      index++;
    }
    StringBuilder sdp = new StringBuilder();
    sessionHeader(sdp, id);
    if (offer.sessionLines().contains("a=extmap-allow-mixed")) {
      line(sdp, "a=extmap-allow-mixed");
    }
    offer.sessionAttribute("msid-semantic").ifPresent(v -> line(sdp, "a=msid-semantic:" + v));
    Optional<List<String>> bundle = offer.bundleGroup();
    if (bundle.isPresent()) {
      List<String> mids = new ArrayList<>(bundle.get());
      mids.retainAll(accepted);
      line(sdp, mids.isEmpty() ? "a=group:BUNDLE" : "a=group:BUNDLE " + String.join(" ", mids));
    }
    sections.forEach(sdp::append);
    return sdp.toString();
  }

  /** KMS's own offer (generateOffer): mids audio0/video0, RTP/SAVPF, opus 96, VP8 100, H264 101. */
  public static String offer(boolean audio, boolean video, String direction, SdpIdentity id) {
    List<String> mids = new ArrayList<>();
    if (audio) {
      mids.add("audio0");
    }
    if (video) {
      mids.add("video0");
    }
    StringBuilder sdp = new StringBuilder();
    sessionHeader(sdp, id);
    line(sdp, mids.isEmpty() ? "a=group:BUNDLE" : "a=group:BUNDLE " + String.join(" ", mids));
    int index = 0;
    if (audio) {
      line(sdp, "m=audio 1 RTP/SAVPF 96 0 8");
      line(sdp, "a=setup:actpass");
      line(sdp, "a=extmap:3 " + ABS_SEND_TIME);
      line(sdp, "a=rtpmap:96 opus/48000/2");
      offerTail(sdp, direction, "audio0", List.of(), id, index++);
    }
    if (video) {
      line(sdp, "m=video 1 RTP/SAVPF 100 101");
      line(sdp, "a=setup:actpass");
      line(sdp, "a=extmap:3 " + ABS_SEND_TIME);
      line(sdp, "a=rtpmap:100 VP8/90000");
      line(sdp, "a=rtpmap:101 H264/90000");
      line(sdp, "a=fmtp:101 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
      offerTail(
          sdp,
          direction,
          "video0",
          List.of(
              "a=rtcp-fb:100 nack",
              "a=rtcp-fb:100 nack pli",
              "a=rtcp-fb:100 goog-remb",
              "a=rtcp-fb:100 ccm fir",
              "a=rtcp-fb:101 nack",
              "a=rtcp-fb:101 nack pli",
              "a=rtcp-fb:101 ccm fir"),
          id,
          index);
    }
    return sdp.toString();
  }

  /**
   * The local description once gathering finished: the session-level c= line goes, every accepted
   * m-section gets a real port, its own c= line, a matching a=rtcp and its candidates inline.
   */
  public static String withCandidates(String localSdp, String address, int port, List<String> candidates) {
    StringBuilder sdp = new StringBuilder();
    for (String line : localSdp.split(CRLF)) {
      if (line.equals("c=IN IP4 0.0.0.0") && sdp.indexOf("m=") < 0) {
        continue;
      }
      if (line.startsWith("m=")) {
        String[] parts = line.split(" ", 3);
        if (!parts[1].equals("0")) {
          line(sdp, parts[0] + " " + port + " " + parts[2]);
          line(sdp, "c=IN IP4 " + address);
          continue;
        }
      }
      if (line.equals("a=rtcp:9 IN IP4 0.0.0.0")) {
        line(sdp, "a=rtcp:" + port + " IN IP4 " + address);
        continue;
      }
      line(sdp, line);
      if (line.startsWith("a=fingerprint:")) {
        candidates.forEach(c -> line(sdp, "a=" + c));
      }
    }
    return sdp.toString();
  }

  private static void sessionHeader(StringBuilder sdp, SdpIdentity id) {
    line(sdp, "v=0");
    line(sdp, "o=- " + id.origin() + " " + id.origin() + " IN IP4 0.0.0.0");
    line(sdp, "s=Kurento Media Server");
    line(sdp, "c=IN IP4 0.0.0.0");
    line(sdp, "t=0 0");
  }

  private static void offerTail(
      StringBuilder sdp, String direction, String mid, List<String> rtcpFb, SdpIdentity id, int index) {
    line(sdp, "a=rtcp:9 IN IP4 0.0.0.0");
    line(sdp, "a=rtcp-mux");
    line(sdp, "a=" + direction);
    line(sdp, "a=mid:" + mid);
    rtcpFb.forEach(l -> line(sdp, l));
    line(sdp, "a=ssrc:" + id.ssrc(index) + " cname:" + id.cname());
    credentials(sdp, id);
  }

  private static List<String> keptPayloads(MediaSection m) {
    Set<String> supported =
        switch (m.kind()) {
          case "audio" -> AUDIO_CODECS;
          case "video" -> VIDEO_CODECS;
          default -> Set.of();
        };
    List<String> kept = new ArrayList<>();
    for (String pt : m.payloads()) {
      m.codec(pt)
          .map(KmsSdp::codecKey)
          .filter(supported::contains)
          .ifPresent(c -> kept.add(pt));
    }
    return kept;
  }

  private static String codecKey(String codec) {
    String[] parts = codec.split("/");
    String key = parts[0].toLowerCase(Locale.ROOT);
    return parts.length > 1 ? key + "/" + parts[1] : key;
  }

  private static String answerSection(MediaSection m, List<String> kept, SdpIdentity id, int index) {
    StringBuilder s = new StringBuilder();
    // No codec in common: KMS rejects the m-line with port 0, keeping the offered payloads.
    line(s, kept.isEmpty()
        ? "m=" + m.kind() + " 0 " + m.protocol() + " " + String.join(" ", m.payloads())
        : "m=" + m.kind() + " 1 " + m.protocol() + " " + String.join(" ", kept));
    for (String extmap : m.attributes("extmap")) {
      if (extmap.endsWith(" " + ABS_SEND_TIME)) {
        line(s, "a=extmap:" + extmap);
      }
    }
    line(s, "a=" + mirror(m.direction()));
    m.mid().ifPresent(mid -> line(s, "a=mid:" + mid));
    line(s, "a=rtcp:9 IN IP4 0.0.0.0");
    for (String pt : kept) {
      // Static payload types the offer gave no rtpmap for (PCMU 0, PCMA 8) get none back.
      m.payloadAttributes("rtpmap", pt).stream().findFirst().ifPresent(codec -> line(s, "a=rtpmap:" + pt + " " + codec));
    }
    for (String pt : kept) {
      for (String fb : m.payloadAttributes("rtcp-fb", pt)) {
        if (KEPT_RTCP_FB.contains(fb)) {
          line(s, "a=rtcp-fb:" + pt + " " + fb);
        }
      }
    }
    // setup, rtcp-mux and the kept fmtp lines follow in the order the offer has them
    // (Chromium: setup first; KMS's own offers: fmtp before rtcp-mux).
    boolean setupWritten = false;
    for (String l : m.lines()) {
      if (l.startsWith("a=setup:")) {
        line(s, "a=setup:" + answerSetup(l.substring("a=setup:".length())));
        setupWritten = true;
      } else if (l.equals("a=rtcp-mux")) {
        line(s, l);
      } else if (l.startsWith("a=fmtp:") && kept.contains(l.substring(7, Math.max(7, l.indexOf(' '))))) {
        line(s, l);
      }
    }
    if (!setupWritten) {
      line(s, "a=setup:active");
    }
    line(s, "a=ssrc:" + id.ssrc(index) + " cname:" + id.cname());
    credentials(s, id);
    return s.toString();
  }

  private static void credentials(StringBuilder s, SdpIdentity id) {
    line(s, "a=ice-ufrag:" + id.ufrag());
    line(s, "a=ice-pwd:" + id.pwd());
    line(s, "a=fingerprint:sha-256 " + id.fingerprint());
  }

  static String mirror(String direction) {
    return switch (direction) {
      case "sendonly" -> "recvonly";
      case "recvonly" -> "sendonly";
      case "inactive" -> "inactive";
      default -> "sendrecv";
    };
  }

  private static String answerSetup(String offered) {
    return switch (offered) {
      case "active" -> "passive";
      default -> "active";
    };
  }

  private static void line(StringBuilder sb, String line) {
    sb.append(line).append(CRLF);
  }
}
