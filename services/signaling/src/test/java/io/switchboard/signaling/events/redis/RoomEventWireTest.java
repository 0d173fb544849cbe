package io.switchboard.signaling.events.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.signaling.domain.RoomEvents;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Room events as they travel between pods: every kind round-trips, and the flat JSON shape stays readable. */
class RoomEventWireTest {

  @Test
  void everyKindOfEventComesBackAsItWasSent() {
    List<RoomEvents.RoomEvent> all = List.of(
        new RoomEvents.Joined("alice", "m1", "pod-a", true, false),
        new RoomEvents.Left("alice", "m1", "pod-a"),
        new RoomEvents.Moved("alice", "m1", "pod-b"),
        new RoomEvents.Rebuilt("pod-c"),
        new RoomEvents.MediaChanged("bob", "m2", "pod-a", false, true),
        new RoomEvents.ChatSent("bob", "m2", "pod-a", "hello", "carol", 1_700_000_000_000L),
        new RoomEvents.ChatSent("bob", "m2", "pod-a", "to everyone", null, 1L),
        new RoomEvents.ScreenShared("carol", "m3", "pod-b", true),
        new RoomEvents.PresenterChanged("dave", "m4", "pod-b", false),
        new RoomEvents.RecordingChanged("erin", "m5", "pod-a", true, "file:///tmp/r.webm"));
    for (RoomEvents.RoomEvent event : all) {
      assertThat(RedisRoomEvents.decode(RedisRoomEvents.encode(event, "origin-1"))).as(event.toString()).isEqualTo(event);
      assertThat(RedisRoomEvents.read(RedisRoomEvents.encode(event, "origin-1")).origin()).isEqualTo("origin-1");
    }
  }

  @Test
  void theWireShapeIsTheFlatObjectEarlierPodsSendAndRead() {
    // What a pod of the previous version publishes for a chat message and a recording.
    assertThat(RedisRoomEvents.decode("{\"type\":\"CHAT\",\"name\":\"bob\",\"memberId\":\"m2\",\"pod\":\"p\","
        + "\"audio\":false,\"video\":false,\"text\":\"hi\",\"to\":null,\"ts\":5,\"published\":false}"))
        .isEqualTo(new RoomEvents.ChatSent("bob", "m2", "p", "hi", null, 5));
    assertThat(RedisRoomEvents.decode("{\"type\":\"RECORDING\",\"name\":\"erin\",\"memberId\":\"m5\",\"pod\":\"p\","
        + "\"audio\":false,\"video\":false,\"text\":\"file:///r.webm\",\"to\":null,\"ts\":0,\"published\":true}"))
        .isEqualTo(new RoomEvents.RecordingChanged("erin", "m5", "p", true, "file:///r.webm"));
    assertThat(RedisRoomEvents.read("{\"type\":\"LEFT\",\"name\":\"bob\",\"memberId\":\"m2\",\"pod\":\"p\","
        + "\"audio\":false,\"video\":false,\"text\":null,\"to\":null,\"ts\":0,\"published\":false}").origin())
        .as("no origin: a pod that predates it").isNull();
    // What this version publishes: the same fields, and its origin after them.
    assertThat(RedisRoomEvents.encode(new RoomEvents.ScreenShared("carol", "m3", "p", true), "o-1"))
        .isEqualTo("{\"type\":\"SCREEN\",\"name\":\"carol\",\"memberId\":\"m3\",\"pod\":\"p\",\"audio\":false,"
            + "\"video\":false,\"text\":null,\"to\":null,\"ts\":0,\"published\":true,\"origin\":\"o-1\"}");
  }

  @Test
  void fieldsThatALaterPodAddsAreIgnored() {
    // During a rolling update a newer pod's events may carry fields this one does not know.
    assertThat(RedisRoomEvents.decode("{\"type\":\"MOVED\",\"name\":\"bob\",\"memberId\":\"m2\",\"pod\":\"p\","
        + "\"audio\":false,\"video\":false,\"text\":null,\"to\":null,\"ts\":0,\"published\":false,"
        + "\"origin\":\"o\",\"priority\":3,\"extra\":{\"a\":[1]}}"))
        .isEqualTo(new RoomEvents.Moved("bob", "m2", "p"));
  }

  @Test
  void anEventOfAKindThisPodDoesNotKnowIsRefusedByName() {
    assertThatThrownBy(() -> RedisRoomEvents.decode("{\"type\":\"RAISED_HAND\",\"name\":\"x\","
        + "\"memberId\":\"m\",\"pod\":\"p\",\"audio\":false,\"video\":false,\"text\":null,\"to\":null,\"ts\":0,"
        + "\"published\":false}"))
        .hasMessageContaining("unknown room event type 'RAISED_HAND'");
  }
}
