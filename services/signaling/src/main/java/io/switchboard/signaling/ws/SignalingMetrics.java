package io.switchboard.signaling.ws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.signaling.domain.GroupCallService;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The signaling pod's meters (names under {@code switchboard.signaling}; docs/operations.md). */
public final class SignalingMetrics {

  private final MeterRegistry registry;
  private final Timer join;
  private final Timer offer;

  public SignalingMetrics(MeterRegistry registry, GroupCallService calls, Supplier<Integer> openSockets) {
    this.registry = registry;
    // Held strongly: a gauge keeps only a weak reference to its object, and the supplier (a method
    // reference made for this call) has no other referent, so it would read NaN after the first GC.
    Gauge.builder("switchboard.signaling.sockets", openSockets, s -> s.get()).strongReference(true)
        .description("Open /groupcall sockets on this pod").register(registry);
    Gauge.builder("switchboard.signaling.rooms", calls, GroupCallService::localRooms)
        .description("Rooms with a participant on this pod").register(registry);
    Gauge.builder("switchboard.signaling.participants", calls, GroupCallService::localParticipants)
        .description("Participants served by this pod").register(registry);
    this.join = Timer.builder("switchboard.signaling.join.latency")
        .description("joinRoom to existingParticipants").publishPercentileHistogram().register(registry);
    this.offer = Timer.builder("switchboard.signaling.offer.latency")
        .description("receiveVideoFrom to receiveVideoAnswer").publishPercentileHistogram().register(registry);
  }

  void message(ClientMessage message) {
    Counter.builder("switchboard.signaling.messages").description("Client messages by id")
        .tag("id", idOf(message)).register(registry).increment();
  }

  void refused(String code) {
    Counter.builder("switchboard.signaling.errors").description("Messages refused, by error code")
        .tag("code", code).register(registry).increment();
  }

  /** Records how long a join or an offer took, when the message was one. */
  void handled(ClientMessage message, long nanos) {
    if (message instanceof ClientMessage.JoinRoom) {
      join.record(nanos, TimeUnit.NANOSECONDS);
    } else if (message instanceof ClientMessage.ReceiveVideoFrom) {
      offer.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  private static final Map<Class<?>, String> IDS = new java.util.concurrent.ConcurrentHashMap<>();

  private static String idOf(ClientMessage message) {
    return IDS.computeIfAbsent(message.getClass(), c -> {
      String simple = c.getSimpleName();
      return Character.toLowerCase(simple.charAt(0)) + simple.substring(1);
    });
  }
}
