package io.switchboard.signaling.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MediaWarmupTest {

  private static final String A = "ws://10.0.0.1:8888/kurento";
  private static final String B = "ws://10.0.0.2:8888/kurento";

  private final FakeMediaServer media = new FakeMediaServer();
  private final List<String> registry = new CopyOnWriteArrayList<>(List.of(A, B));
  private volatile boolean registryReadable = true;
  private final MediaWarmup warmup = new MediaWarmup(media, () -> {
    if (!registryReadable) {
      throw new IllegalStateException("Redis is down");
    }
    return List.copyOf(registry);
  }, Duration.ofHours(1), 3);

  @AfterEach
  void close() {
    warmup.close();
  }

  @Test
  void everyKnownNodeIsOpenedAndRehearsedBeforeTheWarmUpReturnsAndNothingIsLeftOnIt() {
    assertThat(warmup.warm(Duration.ofSeconds(10))).containsExactlyInAnyOrder(A, B);

    assertThat(media.opened()).containsExactlyInAnyOrder(A, B);
    // A subscription rehearsed on each, three times: a receiver connected to a publisher, an offer answered.
    assertThat(media.connects()).extracting(FakeMediaServer.Connection::kmsUrl)
        .containsExactlyInAnyOrder(A, A, A, B, B, B);
    assertThat(media.liveObjects(A)).isZero();
    assertThat(media.liveObjects(B)).isZero();
    assertThat(MediaWarmup.REHEARSAL_OFFER).startsWith("v=0").contains("a=recvonly");
  }

  @Test
  void anUnreachableNodeDoesNotHoldTheOthersBackAndIsOpenedOnceItAnswers() {
    media.makeUnreachable(B);

    assertThat(warmup.warm(Duration.ofSeconds(10))).containsExactly(A);

    media.makeReachable(B);
    warmup.refresh();
    await().atMost(Duration.ofSeconds(5)).until(() -> warmup.opened().contains(B));
    assertThat(media.opened()).containsExactly(A, B);
  }

  @Test
  void aNodePlacementNamesLaterIsOpenedInTheBackgroundAndOneThatLeftIsOpenedAgainWhenItReturns() {
    String c = "ws://10.0.0.3:8888/kurento";
    warmup.warm(Duration.ofSeconds(10));

    registry.add(c);
    warmup.refresh();
    await().atMost(Duration.ofSeconds(5)).until(() -> warmup.opened().contains(c));
    warmup.refresh(); // nothing new: nothing opened twice
    assertThat(media.opened()).filteredOn(c::equals).hasSize(1);

    registry.remove(A);
    warmup.refresh();
    assertThat(warmup.opened()).doesNotContain(A);
    registry.add(A);
    warmup.refresh();
    await().atMost(Duration.ofSeconds(5)).until(() -> warmup.opened().contains(A));
    assertThat(media.opened()).filteredOn(A::equals).hasSize(2);
  }

  @Test
  void aWarmUpRehearsesAtLeastOnce() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MediaWarmup(media, List::of, Duration.ofHours(1), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kms-warmup-rehearsals");
  }

  @Test
  void anUnreadableRegistryLetsThePodStartWithNothingOpened() {
    registryReadable = false;

    assertThat(warmup.warm(Duration.ofSeconds(10))).isEmpty();
    assertThat(media.opened()).isEmpty();

    registryReadable = true;
    warmup.refresh();
    await().atMost(Duration.ofSeconds(5)).until(() -> warmup.opened().size() == 2);
  }
}
