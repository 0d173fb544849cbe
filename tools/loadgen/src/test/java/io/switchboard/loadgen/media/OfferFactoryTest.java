package io.switchboard.loadgen.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.MessageDecoder;
import io.switchboard.kms.emulator.sdp.KmsSdp;
import io.switchboard.kms.emulator.sdp.SdpIdentity;
import io.switchboard.kms.emulator.sdp.SessionDescription;
import io.switchboard.loadgen.client.Frames;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class OfferFactoryTest {

  private final OfferFactory offers = new OfferFactory(new SplittableRandom(7));

  @Test
  void publishOffersSendAndSubscribeOffersReceiveAudioAndVideoOnBundledMids() {
    SessionDescription publish = SessionDescription.parse(offers.publishOffer());
    SessionDescription subscribe = SessionDescription.parse(offers.subscribeOffer());

    assertThat(publish.media()).extracting(SessionDescription.MediaSection::direction).containsExactly("sendonly", "sendonly");
    assertThat(subscribe.media()).extracting(SessionDescription.MediaSection::direction).containsExactly("recvonly", "recvonly");
    assertThat(publish.media()).extracting(m -> m.mid().orElseThrow()).containsExactly("0", "1");
    assertThat(publish.bundleGroup()).contains(List.of("0", "1"));
  }

  @Test
  void theEmulatorAnswersEveryOfferLikeABrowsersAcceptingBothMediaLines() {
    for (String offer : List.of(offers.publishOffer(), offers.subscribeOffer())) {
      SessionDescription parsed = SessionDescription.parse(offer);
      String answer = KmsSdp.answer(parsed, SdpIdentity.create(SdpIdentity.randomFingerprint(), Instant.now(), new Random(1)));

      SessionDescription answered = SessionDescription.parse(answer);
      assertThat(answered.media()).hasSize(2);
      // A rejected m-line has port 0; KMS's accepted ones have port 1.
      assertThat(answered.media()).extracting(SessionDescription.MediaSection::port).containsExactly("1", "1");
      assertThat(answered.media()).extracting(SessionDescription.MediaSection::direction)
          .containsExactlyElementsOf(parsed.media().get(0).direction().equals("sendonly")
              ? List.of("recvonly", "recvonly") : List.of("sendonly", "sendonly"));
      assertThat(answered.bundleGroup()).contains(List.of("0", "1"));
    }
  }

  @Test
  void theServersDecoderTakesEveryOfferAsSdp() {
    MessageDecoder decoder = new MessageDecoder();
    ClientMessage m = decoder.decode(Frames.receiveVideoFrom("u1", offers.subscribeOffer(), "rvf:u1"));

    assertThat(m).isInstanceOfSatisfying(ClientMessage.ReceiveVideoFrom.class,
        r -> assertThat(r.sdpOffer()).startsWith("v=0\r\n"));
  }

  @Test
  void everyOfferHasItsOwnIdentityAsEachBrowserPeerConnectionDoes() {
    String a = offers.subscribeOffer();
    String b = offers.subscribeOffer();

    for (String attribute : List.of("o=- ", "a=ice-ufrag:", "a=ice-pwd:", "a=fingerprint:sha-256 ")) {
      assertThat(value(a, attribute)).isNotEqualTo(value(b, attribute));
    }
    String publish = offers.publishOffer();
    assertThat(value(publish, "a=ssrc:")).isNotEqualTo("3364575750 cname:KpF+w3LZC78EEZT0");
    assertThat(publish).doesNotContain("78fe328f-2997-4ef4-9951-c0bfcb913947");
  }

  @Test
  void anOffersIdsStayConsistentWithinItself() {
    String publish = offers.publishOffer();

    // One ICE identity for both bundled m-lines, as Chromium writes it.
    assertThat(all(publish, "a=ice-ufrag:")).hasSize(2).containsOnly(value(publish, "a=ice-ufrag:"));
    // The video SSRC group names the SSRCs its ssrc lines describe.
    Matcher group = Pattern.compile("a=ssrc-group:FID (\\d+) (\\d+)").matcher(publish);
    assertThat(group.find()).isTrue();
    assertThat(publish).contains("a=ssrc:" + group.group(1) + " cname:", "a=ssrc:" + group.group(2) + " cname:");
    // Each msid of an m-line matches its ssrc lines' msid.
    String msid = value(publish, "a=msid:");
    assertThat(publish).contains(" msid:" + msid);
    assertThat(msid).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} [0-9a-f-]{36}");
  }

  @Test
  void theLinesAreCrlfTerminatedAsBrowsersSendThem() {
    String offer = offers.publishOffer();

    assertThat(offer.split("\r\n")).hasSizeGreaterThan(100);
    assertThat(offer.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
  }

  private static String value(String sdp, String prefix) {
    return all(sdp, prefix).get(0);
  }

  private static List<String> all(String sdp, String prefix) {
    return sdp.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
  }

  @Test
  void offersMadeAheadAreHandedOutFirstEachFreshThenMoreAreMadeOnDemand() {
    offers.prepare(2, 3);
    java.util.List<String> publish = java.util.List.of(offers.publishOffer(), offers.publishOffer(), offers.publishOffer());
    java.util.List<String> receive = java.util.stream.Stream.generate(offers::subscribeOffer).limit(4).toList();

    assertThat(publish).doesNotHaveDuplicates().allSatisfy(o -> assertThat(o).contains("a=sendonly"));
    assertThat(receive).doesNotHaveDuplicates().allSatisfy(o -> assertThat(o).contains("a=recvonly"));
  }
}
