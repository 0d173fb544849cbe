package io.switchboard.kms.emulator.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.kms.emulator.Fixtures;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The emulator's SDP against what a real KMS 7.3 answered to the same Chromium offers: identical
 * line for line once the values that are random on every call (ICE credentials, fingerprint,
 * SSRCs, cname, origin) are masked.
 */
class KmsSdpTest {

  private final SdpIdentity identity =
      SdpIdentity.create(SdpIdentity.randomFingerprint(), Instant.parse("2026-11-20T12:00:00Z"), new Random(7));

  @ParameterizedTest
  @ValueSource(strings = {
      "01-sendonly-audio-video", "02-recvonly-audio-video", "03-sendrecv-audio-video",
      "04-video-only-sendrecv", "05-audio-only-sendrecv", "06-video-only-sendonly",
      "07-audio-only-sendonly", "08-recvonly-audio-video-h264-only"})
  void answersChromiumOffersExactlyAsKmsDoes(String name) {
    String offer = Fixtures.sdp(name + ".offer.chromium.sdp");
    String kms = Fixtures.sdp(name + ".answer.kms.sdp");

    String answer = KmsSdp.answer(SessionDescription.parse(offer), identity);

    assertThat(mask(answer)).isEqualTo(mask(kms));
    assertThat(answer).contains("\r\n").doesNotContain("a=candidate").doesNotContain("a=ice-options");
  }

  @Test
  void generatesTheOfferKmsGenerates() {
    String kms = Fixtures.sdp("09-kms-generateOffer-chromium-answer-sendrecv.offer.kms.sdp");
    assertThat(mask(KmsSdp.offer(true, true, "sendrecv", identity))).isEqualTo(mask(kms));
  }

  @Test
  void offerWithoutVideoKeepsOnlyAudio() {
    String kms = Fixtures.sdp("10-kms-generateOffer-offerToReceiveVideo-false.offer.kms.sdp");
    assertThat(mask(KmsSdp.offer(true, false, "sendrecv", identity))).isEqualTo(mask(kms));
  }

  @Test
  void localDescriptionAfterGatheringCarriesCandidatesAndRealPorts() {
    String offer = Fixtures.sdp("03-sendrecv-audio-video.offer.chromium.sdp");
    String answer = KmsSdp.answer(SessionDescription.parse(offer), identity);

    String local = KmsSdp.withCandidates(answer, "127.0.0.1", 40000,
        List.of("candidate:1 1 UDP 2015363327 127.0.0.1 50000 typ host"));

    SessionDescription parsed = SessionDescription.parse(local);
    assertThat(parsed.sessionLines()).doesNotContain("c=IN IP4 0.0.0.0");
    assertThat(parsed.media()).allSatisfy(m -> {
      assertThat(m.port()).isEqualTo("40000");
      assertThat(m.lines()).contains("c=IN IP4 127.0.0.1", "a=rtcp:40000 IN IP4 127.0.0.1",
          "a=candidate:1 1 UDP 2015363327 127.0.0.1 50000 typ host");
    });
  }

  @Test
  void offerWithOnlyUnknownCodecsIsRejectedByPortZeroNotByAnError() {
    String offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
        + "a=setup:actpass\r\na=rtpmap:96 FOO/90000\r\n";
    // What KMS 7.3 answered to this offer (trace c-errors, processOffer-unknown-codec-only).
    String kms = "v=0\r\no=- 4004202180 4004202180 IN IP4 0.0.0.0\r\ns=Kurento Media Server\r\n"
        + "c=IN IP4 0.0.0.0\r\nt=0 0\r\na=group:BUNDLE\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n"
        + "a=mid:0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=rtcp-mux\r\na=setup:active\r\n"
        + "a=ssrc:1274298803 cname:user3210929286@host-636f1726\r\na=ice-ufrag:ayNI\r\n"
        + "a=ice-pwd:qanHjjnDwoz5hEOUXb+r6O\r\na=fingerprint:sha-256 47:96:50\r\n";
    String answer = KmsSdp.answer(SessionDescription.parse(offer), identity);
    assertThat(mask(answer)).isEqualTo(mask(kms));
  }

  @Test
  void mirrorsDirectionsAndSetup() {
    assertThat(KmsSdp.mirror("sendonly")).isEqualTo("recvonly");
    assertThat(KmsSdp.mirror("recvonly")).isEqualTo("sendonly");
    assertThat(KmsSdp.mirror("sendrecv")).isEqualTo("sendrecv");
    assertThat(KmsSdp.mirror("inactive")).isEqualTo("inactive");
  }

  @Test
  void textThatIsNotSdpIsRefused() {
    assertThatThrownBy(() -> SessionDescription.parse("hello")).hasMessage("Invalid SDP");
    assertThatThrownBy(() -> SessionDescription.parse("")).hasMessage("Invalid SDP");
  }

  private static String mask(String sdp) {
    return Fixtures.maskSdp(sdp);
  }
}
