package io.switchboard.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class PresenceContractTest {

  static final PresenceEvent JOINED = new PresenceEvent("0b6f0c1e-5f27-4f7e-9a53-2c3f3c1f1a10",
      PresenceType.PARTICIPANT_JOINED, "standup", 7, Instant.parse("2026-11-21T10:15:30.120Z"), "signaling-7d9f-abc12",
      "alice", "alice@example.com", "10-0-0-7-8888", true, false, null, "Stand-up");

  @Test
  void anEventSurvivesKafkaBinaryModeAsItIs() {
    try (var serializer = new io.cloudevents.kafka.CloudEventSerializer();
        var deserializer = new io.cloudevents.kafka.CloudEventDeserializer()) {
      serializer.configure(PresenceContract.serializerConfig(), false);
      RecordHeaders headers = new RecordHeaders();
      byte[] value = serializer.serialize(PresenceContract.TOPIC, headers, PresenceContract.toCloudEvent(JOINED));
      // Binary mode: the attributes are headers, the value is the data alone.
      assertThat(new String(headers.lastHeader("ce_type").value(), StandardCharsets.UTF_8))
          .isEqualTo("switchboard.participant.joined");
      assertThat(new String(headers.lastHeader("ce_roomid").value(), StandardCharsets.UTF_8)).isEqualTo("standup");
      assertThat(new String(value, StandardCharsets.UTF_8))
          .startsWith("{\"roomId\":\"standup\",\"roomName\":\"Stand-up\",\"sequence\":7,");

      CloudEvent read = deserializer.deserialize(PresenceContract.TOPIC, headers, value);
      assertThat(PresenceContract.fromCloudEvent(read)).isEqualTo(JOINED);
    }
  }

  @Test
  void theRecordIsKeyedByRoom() {
    var record = PresenceContract.record(JOINED);
    assertThat(record.topic()).isEqualTo("switchboard.presence.v1");
    assertThat(record.key()).isEqualTo("standup");
    assertThat(record.value().getSubject()).isEqualTo("standup/alice");
  }

  @Test
  void eventsThisContractCannotReadArePoison() {
    CloudEvent unknown = CloudEventBuilder.v1().withId("1").withType("switchboard.room.exploded")
        .withSource(URI.create("/x")).withData("{}".getBytes(StandardCharsets.UTF_8)).build();
    assertThatThrownBy(() -> PresenceContract.fromCloudEvent(unknown)).isInstanceOf(PoisonEventException.class)
        .hasMessageContaining("unknown event type");
    CloudEvent notJson = CloudEventBuilder.v1().withId("2").withType("switchboard.room.opened")
        .withSource(URI.create("/x")).withData("{not json".getBytes(StandardCharsets.UTF_8)).build();
    assertThatThrownBy(() -> PresenceContract.fromCloudEvent(notJson)).isInstanceOf(PoisonEventException.class);
    CloudEvent noParticipant = CloudEventBuilder.v1().withId("3").withType("switchboard.participant.left")
        .withSource(URI.create("/x")).withData("{\"roomId\":\"r\",\"sequence\":1}".getBytes(StandardCharsets.UTF_8))
        .build();
    assertThatThrownBy(() -> PresenceContract.fromCloudEvent(noParticipant)).isInstanceOf(PoisonEventException.class)
        .hasMessageContaining("names no participant");
    CloudEvent noData = CloudEventBuilder.v1().withId("4").withType("switchboard.room.closed")
        .withSource(URI.create("/x")).build();
    assertThatThrownBy(() -> PresenceContract.fromCloudEvent(noData)).isInstanceOf(PoisonEventException.class);
    assertThatThrownBy(() -> PresenceContract.fromCloudEvent(null)).isInstanceOf(PoisonEventException.class);
    for (String data : new String[] {"{\"roomId\":\"r\",\"sequence\":0}", "{\"roomId\":\"r\",\"sequence\":7.5}",
        "{\"roomId\":\"x:participants\",\"sequence\":1}"}) {
      CloudEvent bad = CloudEventBuilder.v1().withId("5").withType("switchboard.room.opened")
          .withSource(URI.create("/x")).withData(data.getBytes(StandardCharsets.UTF_8)).build();
      assertThatThrownBy(() -> PresenceContract.fromCloudEvent(bad)).as(data).isInstanceOf(PoisonEventException.class);
    }
  }

  @Test
  void aSnapshotCarriesItsMembersThroughKafka() {
    PresenceEvent snapshot = PresenceEvent.snapshot("7c1d", "standup", 12, Instant.parse("2026-11-21T10:16:00Z"),
        "signaling-7d9f-abc12", "10-0-0-7-8888", java.util.List.of(
            new PresenceEvent.Member("alice", "alice", true, false, true, 1_700_000_000_000L),
            new PresenceEvent.Member("bob", "bob", false, false, false, 1_700_000_001_000L)));
    try (var serializer = new io.cloudevents.kafka.CloudEventSerializer();
        var deserializer = new io.cloudevents.kafka.CloudEventDeserializer()) {
      serializer.configure(PresenceContract.serializerConfig(), false);
      RecordHeaders headers = new RecordHeaders();
      byte[] value = serializer.serialize(PresenceContract.TOPIC, headers, PresenceContract.toCloudEvent(snapshot));
      assertThat(new String(headers.lastHeader("ce_type").value(), StandardCharsets.UTF_8))
          .isEqualTo("switchboard.room.snapshot");
      assertThat(new String(value, StandardCharsets.UTF_8)).contains("\"members\":[{\"participant\":\"alice\"")
          .contains("\"state\":\"disconnected\"");
      assertThat(PresenceContract.fromCloudEvent(deserializer.deserialize(PresenceContract.TOPIC, headers, value)))
          .isEqualTo(snapshot);
    }
    assertThatThrownBy(() -> new PresenceEvent("1", PresenceType.ROOM_SNAPSHOT, "r", 1, Instant.EPOCH, "p", null, null,
        null, null, null, null, null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSnapshotWhoseMembersCannotBeReadIsPoison() {
    for (String members : new String[] {"", ",\"members\":{}", ",\"members\":[1]", ",\"members\":[{}]",
        ",\"members\":[{\"participant\":\"\"}]",
        ",\"members\":[{\"participant\":\"a\"},{\"participant\":\"a\"}]",
        ",\"members\":[{\"participant\":\"a\",\"state\":\"asleep\"}]"}) {
      CloudEvent bad = CloudEventBuilder.v1().withId("6").withType("switchboard.room.snapshot")
          .withSource(URI.create("/x"))
          .withData(("{\"roomId\":\"r\",\"sequence\":3" + members + "}").getBytes(StandardCharsets.UTF_8)).build();
      assertThatThrownBy(() -> PresenceContract.fromCloudEvent(bad)).as(members)
          .isInstanceOf(PoisonEventException.class).hasMessageContaining("snapshot 6");
    }
  }
}
