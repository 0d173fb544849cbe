package io.switchboard.state.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.state.view.PresenceView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.kafka.listener.ConsumerSeekAware.ConsumerSeekCallback;

/** The view's expiry waits until this replica has read to the end of what it reads. */
class RoomExpiryTest {

  static final TopicPartition P0 = new TopicPartition("switchboard.presence.v1", 0);
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-05T10:00:00Z"), ZoneOffset.UTC);

  final List<Long> cutoffs = new ArrayList<>();
  final PresenceListener listener = new PresenceListener(new ExpiringView(), (record, e) -> {}, CLOCK,
      new SimpleMeterRegistry());
  final RoomExpiry expiry = new RoomExpiry(new ExpiringView(), listener, Duration.ofMinutes(5), CLOCK,
      new SimpleMeterRegistry());
  final MockConsumer<String, Object> consumer = new MockConsumer<>("earliest");

  @Test
  void nothingIsExpiredWhileThePartitionsAreUnreadOrBehind() {
    assertThat(expiry.expire()).as("no partition read yet").isEmpty();

    listener.onPartitionsAssigned(Map.of(P0, 0L), Mockito.mock(ConsumerSeekCallback.class));
    assertThat(expiry.expire()).as("lag not known yet").isEmpty();

    consumer.assign(List.of(P0));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 40L));
    consumer.seek(P0, 10);
    idle();
    assertThat(expiry.expire()).as("30 records behind").isEmpty();
    assertThat(cutoffs).isEmpty();

    consumer.seek(P0, 40);
    idle();
    assertThat(expiry.expire()).containsExactly("ghost");
    assertThat(cutoffs).containsExactly(CLOCK.millis() - Duration.ofMinutes(5).toMillis());

    listener.onPartitionsRevoked(List.of(P0));
    assertThat(expiry.expire()).as("reads nothing now").isEmpty();
    assertThat(cutoffs).hasSize(1);
  }

  @Test
  void zeroTurnsItOff() {
    RoomExpiry off = new RoomExpiry(new ExpiringView(), listener, Duration.ZERO, CLOCK, new SimpleMeterRegistry());
    listener.onPartitionsAssigned(Map.of(P0, 0L), Mockito.mock(ConsumerSeekCallback.class));
    consumer.assign(List.of(P0));
    consumer.updateEndOffsets(Map.of(P0, 0L));
    consumer.seek(P0, 0);
    idle();
    assertThat(listener.caughtUp()).isTrue();
    assertThat(off.expire()).isEmpty();
    assertThat(cutoffs).isEmpty();
  }

  private void idle() {
    listener.onIdle(new ListenerContainerIdleEvent(this, this, 5_000, "presence-0", List.of(P0), consumer, false));
  }

  /** Expires "ghost" whenever asked; nothing else is used. */
  final class ExpiringView implements PresenceView {
    @Override
    public List<String> expireSilentRooms(long cutoffMillis, long nowMillis) {
      cutoffs.add(cutoffMillis);
      return List.of("ghost");
    }

    @Override
    public Map<Integer, Long> positions() {
      return Map.of();
    }

    @Override
    public void taken(int partition, long offset) {}

    @Override
    public Outcome apply(PresenceEvent event) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Outcome> applyAll(List<Positioned> events) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<RoomSummary> rooms() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Room> room(String roomId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Presence presence(String identity) {
      throw new UnsupportedOperationException();
    }
  }
}
