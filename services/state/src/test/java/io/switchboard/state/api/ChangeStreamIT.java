package io.switchboard.state.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.launchers.RedisServerProcess;
import io.switchboard.state.view.PresenceViewKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The change stream's bounds, with a real Redis stream behind it and clients that stand for slow
 * ones: a client that does not read holds up nobody else and is dropped with {@code reset} once it
 * falls a queue behind; a long replay runs beside the live changes, not in front of them.
 */
class ChangeStreamIT {

  static final int QUEUE = 20;

  final RedisServerProcess redis = RedisServerProcess.start();
  final RedisClient client = RedisClient.create(redis.url());
  final StatefulRedisConnection<String, String> writer = client.connect();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  /** The clients, in the order subscribe made their emitters. */
  final List<Client> clients = new CopyOnWriteArrayList<>();
  ChangeStream stream;

  /** An emitter that records what it is sent; {@link #hold} makes its sends wait (a client that stopped reading). */
  static final class Client extends SseEmitter {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CountDownLatch hold;
    volatile boolean completed;

    Client(long timeout, boolean slow) {
      super(timeout);
      this.hold = new CountDownLatch(slow ? 1 : 0);
    }

    @Override
    public void send(SseEventBuilder builder) {
      try {
        hold.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      StringBuilder text = new StringBuilder();
      builder.build().forEach(part -> text.append(part.getData()));
      events.add(text.toString());
    }

    @Override
    public synchronized void complete() {
      completed = true;
    }

    long changes() {
      return events.stream().filter(e -> e.contains("event:change")).count();
    }

    boolean reset() {
      return events.stream().anyMatch(e -> e.contains("event:reset"));
    }
  }

  /** The stream, whose n-th subscriber's client is slow when {@code slow[n]}. */
  void open(Boolean... slow) {
    java.util.Iterator<Boolean> next = List.of(slow).iterator();
    stream = new ChangeStream(client, new ChangeStream.Settings(Duration.ofMinutes(5), 100, 10, QUEUE, 2), registry,
        timeout -> {
          Client c = new Client(timeout, next.hasNext() && next.next());
          clients.add(c);
          return c;
        });
  }

  String change(int n) {
    return writer.sync().xadd(PresenceViewKeys.changes(), Map.of("type", "PARTICIPANT_JOINED", "roomId", "r",
        "sequence", String.valueOf(n), "participant", "p" + n, "identity", "p" + n, "audio", "true", "video", "true",
        "time", "1"));
  }

  @AfterEach
  void close() {
    clients.forEach(c -> c.hold.countDown());
    if (stream != null) {
      stream.close();
    }
    writer.close();
    client.shutdown();
    redis.close();
  }

  @Test
  void aClientThatStopsReadingHoldsUpNobodyAndIsResetOnceAQueueBehind() {
    change(0);
    open(true, false);
    stream.subscribe(null, null, "203.0.113.1");
    stream.subscribe(null, null, "203.0.113.2");
    Client slow = clients.get(0);
    Client fast = clients.get(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> fast.events.size() == 1); // subscribed
    // Changes come in bursts of half a queue, each taken by the fast client before the next: it
    // keeps up, whatever the machine's load; the slow one takes nothing.
    for (int i = 1; i <= QUEUE * 3; i++) {
      change(i);
      if (i % (QUEUE / 2) == 0) {
        int written = i;
        await().atMost(Duration.ofSeconds(10)).until(() -> fast.changes() == written);
      }
    }
    assertThat(slow.events).isEmpty();
    // Once it takes writes again it hears that it fell behind, and is done.
    slow.hold.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> slow.completed);
    assertThat(slow.reset()).isTrue();
    assertThat(slow.changes()).isLessThan(QUEUE * 3);
    assertThat(registry.get("switchboard.state.sse.dropped").counter().count()).isEqualTo(1);
    assertThat(registry.get("switchboard.state.sse.subscribers").gauge().value()).isEqualTo(1);
    // Its place is given back: its address may subscribe again.
    change(QUEUE * 3 + 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> fast.changes() == QUEUE * 3 + 1);
    assertThat(fast.reset()).isFalse();
  }

  @Test
  void aLongReplayRunsBesideTheLiveChangesNotInFrontOfThem() {
    String first = change(0);
    for (int i = 1; i <= 2_500; i++) {
      change(i); // more than two replay pages
    }
    open(true, false, false);
    // A client that comes back from the beginning, and reads slowly: its replay is under way ...
    stream.subscribe(null, first, "203.0.113.1");
    stream.subscribe(null, null, "203.0.113.2");
    Client replaying = clients.get(0);
    Client live = clients.get(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> live.events.size() == 1);
    change(2_501);
    // ... and the live client gets the new change meanwhile.
    await().atMost(Duration.ofSeconds(10)).until(() -> live.changes() == 1);
    assertThat(replaying.events).isEmpty();
    replaying.hold.countDown();
    // The replay, then the live change, each once, in order (the queue holds the one live change).
    await().atMost(Duration.ofSeconds(20)).until(() -> replaying.changes() == 2_501);
    assertThat(replaying.events.get(replaying.events.size() - 1)).contains("id:" + lastId());
    assertThat(replaying.reset()).isFalse();
  }

  String lastId() {
    return writer.sync().xrevrange(PresenceViewKeys.changes(), io.lettuce.core.Range.create("-", "+"),
        io.lettuce.core.Limit.from(1)).get(0).getId();
  }
}
