package io.switchboard.kms.emulator.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Just enough of an SDP parser to answer offers the way KMS does: session lines and m-sections. */
public record SessionDescription(List<String> sessionLines, List<MediaSection> media) {

  /**
   * Parses SDP text. Throws {@link IllegalArgumentException} for text that is not SDP at all (KMS
   * answers those with 40201); odd but parseable SDP is accepted, as KMS accepts it.
   */
  public static SessionDescription parse(String text) {
    // On '\n' alone: String.split's one-character fast path, no regex over every SDP (5 KB each);
    // the '\r' of a CRLF goes with the strip below.
    String[] raw = text.split("\n");
    List<String> lines = new ArrayList<>();
    for (String line : raw) {
      String trimmed = line.strip();
      if (!trimmed.isEmpty()) {
        lines.add(trimmed);
      }
    }
    if (lines.isEmpty() || !lines.get(0).startsWith("v=")) {
      throw new IllegalArgumentException("Invalid SDP");
    }
    for (String line : lines) {
      if (line.length() < 2 || line.charAt(1) != '=') {
        throw new IllegalArgumentException("Error parsing SDP");
      }
    }
    List<String> session = new ArrayList<>();
    List<MediaSection> media = new ArrayList<>();
    List<String> current = null;
    for (String line : lines) {
      if (line.startsWith("m=")) {
        if (current != null) {
          media.add(MediaSection.of(current));
        }
        current = new ArrayList<>();
        current.add(line);
      } else if (current != null) {
        current.add(line);
      } else {
        session.add(line);
      }
    }
    if (current != null) {
      media.add(MediaSection.of(current));
    }
    return new SessionDescription(List.copyOf(session), List.copyOf(media));
  }

  public Optional<String> sessionAttribute(String name) {
    return attribute(sessionLines, name);
  }

  /** Mids listed by the first {@code a=group:BUNDLE} line, or empty when there is none. */
  public Optional<List<String>> bundleGroup() {
    return sessionAttribute("group")
        .filter(v -> v.startsWith("BUNDLE"))
        .map(v -> v.substring("BUNDLE".length()).strip())
        .map(v -> v.isEmpty() ? List.<String>of() : List.of(v.split("\\s+")));
  }

  static Optional<String> attribute(List<String> lines, String name) {
    return attributes(lines, name).stream().findFirst();
  }

  static List<String> attributes(List<String> lines, String name) {
    List<String> values = new ArrayList<>();
    String withValue = "a=" + name + ":";
    String flag = "a=" + name;
    for (String line : lines) {
      if (line.startsWith(withValue)) {
        values.add(line.substring(withValue.length()));
      } else if (line.equals(flag)) {
        values.add("");
      }
    }
    return values;
  }

  /** One m-section: the m-line fields and every line under it. */
  public record MediaSection(
      String kind, String port, String protocol, List<String> payloads, List<String> lines) {

    static MediaSection of(List<String> lines) {
      String[] m = lines.get(0).substring(2).split("\\s+");
      if (m.length < 3) {
        throw new IllegalArgumentException("Error parsing SDP");
      }
      List<String> payloads = new ArrayList<>();
      for (int i = 3; i < m.length; i++) {
        payloads.add(m[i]);
      }
      return new MediaSection(m[0], m[1], m[2], List.copyOf(payloads), List.copyOf(lines));
    }

    public Optional<String> attribute(String name) {
      return SessionDescription.attribute(lines, name);
    }

    public List<String> attributes(String name) {
      return SessionDescription.attributes(lines, name);
    }

    public Optional<String> mid() {
      return attribute("mid");
    }

    /** sendrecv when the section names no direction, as RFC 3264 says. */
    public String direction() {
      for (String d : List.of("sendrecv", "sendonly", "recvonly", "inactive")) {
        if (lines.contains("a=" + d)) {
          return d;
        }
      }
      return "sendrecv";
    }

    /** The codec of a payload, e.g. {@code opus/48000/2}; static types need no rtpmap. */
    public Optional<String> codec(String payload) {
      for (String rtpmap : attributes("rtpmap")) {
        int space = rtpmap.indexOf(' ');
        if (space > 0 && rtpmap.substring(0, space).equals(payload)) {
          return Optional.of(rtpmap.substring(space + 1).strip());
        }
      }
      return switch (payload) {
        case "0" -> Optional.of("PCMU/8000");
        case "8" -> Optional.of("PCMA/8000");
        default -> Optional.empty();
      };
    }

    /** Lines {@code a=<name>:<payload> ...} for one payload, in the section's order. */
    public List<String> payloadAttributes(String name, String payload) {
      List<String> values = new ArrayList<>();
      for (String value : attributes(name)) {
        if (value.startsWith(payload + " ")) {
          values.add(value.substring(payload.length() + 1));
        }
      }
      return values;
    }
  }
}
