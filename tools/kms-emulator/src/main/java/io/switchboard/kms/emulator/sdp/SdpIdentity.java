package io.switchboard.kms.emulator.sdp;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Random;

/**
 * What one endpoint puts in every SDP it writes: ICE credentials, the DTLS fingerprint (one per KMS
 * process, as KMS creates its certificate once at startup), the RTCP cname and the origin version.
 */
public record SdpIdentity(String ufrag, String pwd, String fingerprint, String cname, long origin, long ssrcSeed) {

  private static final String ICE_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  /** Seconds between the NTP epoch (1900) and the Unix epoch (1970): KMS writes NTP seconds in o=. */
  private static final long NTP_OFFSET = 2_208_988_800L;

  public static SdpIdentity create(String fingerprint, Instant now, Random random) {
    return new SdpIdentity(
        randomString(random, 4),
        randomString(random, 22),
        fingerprint,
        "user" + Integer.toUnsignedString(random.nextInt() & 0x7fffffff) + "@host-"
            + Integer.toHexString(random.nextInt()),
        now.getEpochSecond() + NTP_OFFSET,
        random.nextLong());
  }

  /** A per-process certificate fingerprint in sha-256 notation. */
  public static String randomFingerprint() {
    byte[] digest = new byte[32];
    new SecureRandom().nextBytes(digest);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < digest.length; i++) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(String.format("%02X", digest[i]));
    }
    return sb.toString();
  }

  /** The SSRC KMS announces on the m-line at {@code index}: stable for the endpoint's lifetime. */
  public long ssrc(int index) {
    long mixed = ssrcSeed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L;
    mixed ^= (mixed >>> 31);
    return (mixed & 0xffffffffL) | 1L;
  }

  private static String randomString(Random random, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ICE_CHARS.charAt(random.nextInt(ICE_CHARS.length())));
    }
    return sb.toString();
  }
}
