package io.switchboard.kms.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Captured material from a real KMS 7.3 and Chromium 156 (copied from shared/reference). */
public final class Fixtures {

  private Fixtures() {}

  public static String sdp(String name) {
    return resource("/sdp/" + name);
  }

  public static String resource(String path) {
    try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Masks what differs on every SDP a KMS writes; everything else must match byte for byte. */
  public static String maskSdp(String sdp) {
    return sdp
        .replaceAll("o=- \\d+ \\d+ IN IP4", "o=- N N IN IP4")
        .replaceAll("a=ssrc:\\d+ cname:\\S+", "a=ssrc:SSRC cname:CNAME")
        .replaceAll("a=ice-ufrag:\\S+", "a=ice-ufrag:UFRAG")
        .replaceAll("a=ice-pwd:\\S+", "a=ice-pwd:PWD")
        .replaceAll("a=fingerprint:sha-256 \\S+", "a=fingerprint:sha-256 FP");
  }
}
