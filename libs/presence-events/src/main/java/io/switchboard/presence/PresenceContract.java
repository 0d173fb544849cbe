package io.switchboard.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How presence travels: one topic, keyed by room id; CloudEvents 1.0 in Kafka binary mode (the
 * attributes are {@code ce_*} headers, the data a JSON value). docs/events.md shows examples.
 */
public final class PresenceContract {

  /** Every presence event, keyed by room id. */
  public static final String TOPIC = "switchboard.presence.v1";
  /** Events the state service could not read, with the reason in a header. */
  public static final String DEAD_LETTER_TOPIC = "switchboard.presence.v1.dlt";
  /** The CloudEvents extension carrying the room id ({@code ce_roomid}). */
  public static final String ROOM_EXTENSION = "roomid";
  /** The CloudEvents extension carrying the per-room sequence number ({@code ce_sequence}). */
  public static final String SEQUENCE_EXTENSION = "sequence";
  public static final String DATA_SCHEMA = "https://switchboard.io/schemas/presence/v1";

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Room ids as signaling keeps them (and as every key built from them may hold). */
  private static final java.util.regex.Pattern ROOM_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._~-]{1,128}");

  private PresenceContract() {}

  /** Producer settings for the value serializer (binary mode). */
  public static Map<String, Object> serializerConfig() {
    return Map.of(CloudEventSerializer.ENCODING_CONFIG, "BINARY");
  }

  public static Class<CloudEventSerializer> serializer() {
    return CloudEventSerializer.class;
  }

  public static Class<CloudEventDeserializer> deserializer() {
    return CloudEventDeserializer.class;
  }

  public static ProducerRecord<String, CloudEvent> record(PresenceEvent event) {
    return new ProducerRecord<>(TOPIC, event.roomId(), toCloudEvent(event));
  }

  public static CloudEvent toCloudEvent(PresenceEvent e) {
    ObjectNode data = JSON.createObjectNode();
    data.put("roomId", e.roomId());
    putIfSet(data, "roomName", e.roomName());
    data.put("sequence", e.sequence());
    putIfSet(data, "participant", e.participant());
    putIfSet(data, "identity", e.identity());
    putIfSet(data, "pod", e.source());
    putIfSet(data, "kmsNode", e.kmsNode());
    if (e.audio() != null) {
      data.put("audio", e.audio());
    }
    if (e.video() != null) {
      data.put("video", e.video());
    }
    putIfSet(data, "reason", e.reason());
    if (e.members() != null) {
      com.fasterxml.jackson.databind.node.ArrayNode members = data.putArray("members");
      for (PresenceEvent.Member m : e.members()) {
        members.addObject().put("participant", m.participant()).put("identity", m.identity()).put("audio", m.audio())
            .put("video", m.video()).put("state", m.connected() ? "connected" : "disconnected")
            .put("joinedAt", m.joinedAt());
      }
    }
    try {
      return CloudEventBuilder.v1()
          .withId(e.id())
          .withType(e.type().ceType())
          .withSource(URI.create("/switchboard/signaling/" + e.source()))
          .withSubject(e.participant() == null ? e.roomId() : e.roomId() + "/" + e.participant())
          .withTime(e.time().atOffset(ZoneOffset.UTC))
          .withDataContentType("application/json")
          .withDataSchema(URI.create(DATA_SCHEMA))
          .withExtension(ROOM_EXTENSION, e.roomId())
          .withExtension(SEQUENCE_EXTENSION, e.sequence())
          .withData(JSON.writeValueAsBytes(data))
          .build();
    } catch (IOException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** Reads an event; {@link PoisonEventException} when it is not one of this contract's. */
  public static PresenceEvent fromCloudEvent(CloudEvent ce) {
    if (ce == null) {
      throw new PoisonEventException("not a CloudEvent");
    }
    PresenceType type = PresenceType.of(ce.getType());
    if (ce.getData() == null) {
      throw new PoisonEventException("event " + ce.getId() + " has no data");
    }
    JsonNode data;
    try {
      data = JSON.readTree(ce.getData().toBytes());
    } catch (IOException e) {
      throw new PoisonEventException("event " + ce.getId() + " has data that is not JSON", e);
    }
    if (data == null || !data.isObject() || !data.path("roomId").isTextual() || !data.path("sequence").isIntegralNumber()) {
      throw new PoisonEventException("event " + ce.getId() + " has no roomId and sequence");
    }
    if (!ROOM_ID.matcher(data.get("roomId").asText()).matches()) {
      throw new PoisonEventException("event " + ce.getId() + " has a roomId that is not 1 to 128 of A-Z a-z 0-9 . _ ~ -");
    }
    if (data.get("sequence").asLong() < 1) {
      throw new PoisonEventException("event " + ce.getId() + " has a sequence below 1");
    }
    boolean participantEvent = type != PresenceType.ROOM_OPENED && type != PresenceType.ROOM_CLOSED
        && type != PresenceType.ROOM_SNAPSHOT;
    if (participantEvent && !data.path("participant").isTextual()) {
      throw new PoisonEventException("event " + ce.getId() + " of type " + ce.getType() + " names no participant");
    }
    java.util.List<PresenceEvent.Member> members =
        type == PresenceType.ROOM_SNAPSHOT ? members(ce.getId(), data.get("members")) : null;
    Instant time = ce.getTime() == null ? Instant.EPOCH : ce.getTime().toInstant();
    String pod = text(data, "pod");
    return new PresenceEvent(ce.getId(), type, data.get("roomId").asText(), data.get("sequence").asLong(), time,
        pod == null ? ce.getSource().toString() : pod, text(data, "participant"), text(data, "identity"),
        text(data, "kmsNode"), bool(data, "audio"), bool(data, "video"), text(data, "reason"),
        text(data, "roomName"), members);
  }

  /** A snapshot's members: an array of objects, each naming its participant once. */
  private static java.util.List<PresenceEvent.Member> members(String id, JsonNode members) {
    if (members == null || !members.isArray()) {
      throw new PoisonEventException("snapshot " + id + " has no members array");
    }
    java.util.List<PresenceEvent.Member> read = new java.util.ArrayList<>(members.size());
    java.util.Set<String> named = new java.util.HashSet<>();
    for (JsonNode m : members) {
      if (!m.isObject() || !m.path("participant").isTextual() || m.path("participant").asText().isEmpty()) {
        throw new PoisonEventException("snapshot " + id + " has a member that names no participant");
      }
      String participant = m.get("participant").asText();
      if (!named.add(participant)) {
        throw new PoisonEventException("snapshot " + id + " names " + participant + " twice");
      }
      String state = m.path("state").asText("connected");
      if (!state.equals("connected") && !state.equals("disconnected")) {
        throw new PoisonEventException("snapshot " + id + " gives " + participant + " the state '" + state
            + "' (connected or disconnected)");
      }
      read.add(new PresenceEvent.Member(participant, m.path("identity").isTextual() ? m.get("identity").asText()
          : participant, m.path("audio").asBoolean(false), m.path("video").asBoolean(false),
          state.equals("connected"), m.path("joinedAt").asLong(0)));
    }
    return read;
  }

  private static void putIfSet(ObjectNode o, String field, String value) {
    if (value != null) {
      o.put(field, value);
    }
  }

  private static String text(JsonNode data, String field) {
    JsonNode v = data.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Boolean bool(JsonNode data, String field) {
    JsonNode v = data.get(field);
    return v == null || !v.isBoolean() ? null : v.asBoolean();
  }
}
