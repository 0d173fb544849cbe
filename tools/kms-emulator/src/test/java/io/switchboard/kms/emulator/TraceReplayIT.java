package io.switchboard.kms.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Replays what clients sent to a real KMS 7.3 (shared/reference/traces) against the emulator and
 * holds every answer to what the real KMS answered: the same error codes, types and messages, the
 * same result shapes, the same SDP once random values are masked, and the same dropped connections.
 * Ids KMS made up (sessions, objects, subscriptions) are learned from the answers and mapped.
 */
class TraceReplayIT {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  /**
   * Answers that describe the installation, not the protocol: the traced KMS was a source build
   * with two extra modules and a 75 KB kmd per module; the emulator reports a stock module list
   * and a short kmd (tools/kms-emulator/README.md). Only their JSON type is compared.
   */
  private static final Set<String> INSTALLATION_DEPENDENT = Set.of("getInfo", "getKmd");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  @Test
  void errorCatalogueOfARealKms() throws Exception {
    Replay replay = replay("/traces/c-errors.jsonl");
    assertThat(replay.compared).isGreaterThan(90);
    assertThat(replay.drops).isEqualTo(2);
  }

  @Test
  void kurentoClientSession() throws Exception {
    Replay replay = replay("/traces/a-kurento-client-7.3.0.jsonl");
    assertThat(replay.compared).isGreaterThan(50);
  }

  @Test
  void ownershipAndServerManager() throws Exception {
    Replay replay = replay("/traces/d-server-manager-ownership.jsonl");
    assertThat(replay.compared).isGreaterThan(50);
  }

  private Replay replay(String trace) throws Exception {
    try (KmsEmulator kms = KmsEmulator.start(EmulatorConfig.defaults())) {
      Replay replay = new Replay(kms.url());
      try {
        replay.run(Fixtures.resource(trace));
      } catch (AssertionError e) {
        System.err.println("sessions: " + kms.server().sessionObjectCounts() + " ids " + replay.ids);
        throw e;
      }
      replay.closeAll();
      return replay;
    }
  }

  /** One replay: a raw client per traced connection, and what real ids map to. */
  private static final class Replay {
    final String url;
    final Map<Integer, RawKmsClient> clients = new LinkedHashMap<>();
    final Map<String, String> ids = new LinkedHashMap<>();
    int compared;
    int drops;

    Replay(String url) {
      this.url = url;
    }

    void run(String trace) throws Exception {
      List<JsonNode> lines = new ArrayList<>();
      for (String line : trace.split("\n")) {
        if (!line.isBlank()) {
          lines.add(MAPPER.readTree(line));
        }
      }
      for (int i = 0; i < lines.size(); i++) {
        JsonNode line = lines.get(i);
        if (!"c->s".equals(line.path("dir").asText())) {
          continue;
        }
        int conn = line.path("conn").asInt();
        RawKmsClient client = clients.computeIfAbsent(conn, c -> RawKmsClient.connect(url));
        String frame = line.has("raw") ? line.get("raw").asText() : substitute(line.get("msg").toString());
        int answer = findAnswer(lines, i, conn);
        client.sendText(frame);
        if (answer < 0) {
          // The real KMS dropped the connection instead of answering.
          assertThat(client.closed()).as("dropped after %s", frame).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1006);
          drops++;
          continue;
        }
        JsonNode real = lines.get(answer).get("msg");
        String ours = client.receiveRaw();
        if (System.getenv("REPLAY_DEBUG") != null) {
          System.err.println("conn " + conn + " >> " + frame + "\n   real << " + real + "\n   ours << " + ours);
        }
        String operation = line.path("msg").path("params").path("operation").asText();
        if (INSTALLATION_DEPENDENT.contains(operation) && real.has("result")) {
          JsonNode value = MAPPER.readTree(ours).path("result").path("value");
          assertThat(value.getNodeType()).as("%s of %s", operation, ours).isEqualTo(real.path("result").path("value").getNodeType());
        } else if (real.isTextual() || real.isNull() || real.isMissingNode()) {
          assertThat(ours).as("reply to %s", frame).isEqualTo(real.asText(""));
        } else {
          compare(real, MAPPER.readTree(ours), "reply to " + frame);
        }
        compared++;
      }
    }

    /**
     * The traced server frame answering request {@code i}: the first non-event frame on the same
     * connection before that client's next request (the traced clients waited for each answer);
     * -1 when the server closed the connection instead.
     */
    private static int findAnswer(List<JsonNode> lines, int i, int conn) {
      for (int j = i + 1; j < lines.size(); j++) {
        JsonNode l = lines.get(j);
        if (l.path("conn").asInt() != conn) {
          continue;
        }
        String dir = l.path("dir").asText();
        if (dir.equals("c->s")) {
          break;
        }
        if (dir.equals("ws") && "close".equals(l.path("event").asText()) && "server".equals(l.path("by").asText())) {
          return -1;
        }
        JsonNode msg = l.get("msg");
        if (dir.equals("s->c") && !(msg != null && "onEvent".equals(msg.path("method").asText()))) {
          return j;
        }
      }
      throw new AssertionError("the trace has no answer to line " + i);
    }

    private String substitute(String text) {
      List<String> known = new ArrayList<>(ids.keySet());
      known.sort(Comparator.comparingInt(String::length).reversed());
      for (String real : known) {
        text = text.replace(real, ids.get(real));
      }
      return text;
    }

    private void compare(JsonNode real, JsonNode ours, String where) {
      if (real.isObject()) {
        assertThat(ours.isObject()).as("%s: object expected, got %s", where, ours).isTrue();
        assertThat(fieldNames(ours)).as("%s: fields of %s", where, ours).isEqualTo(fieldNames(real));
        for (Iterator<String> it = real.fieldNames(); it.hasNext(); ) {
          String name = it.next();
          if (name.equals("code")) {
            assertThat(ours.get(name)).as("%s: error code", where).isEqualTo(real.get(name));
          } else {
            compare(real.get(name), ours.get(name), where);
          }
        }
      } else if (real.isArray()) {
        assertThat(ours.isArray() && ours.size() == real.size()).as("%s: %s vs %s", where, real, ours).isTrue();
        if (allKnownIds(real)) {
          // Lists of ids come sorted as strings, and the emulator's ids sort differently.
          List<String> expected = new ArrayList<>();
          real.forEach(v -> expected.add(substitute(v.asText())));
          List<String> actual = new ArrayList<>();
          ours.forEach(v -> actual.add(v.asText()));
          assertThat(actual).as("%s: ids", where).containsExactlyInAnyOrderElementsOf(expected).isSorted();
          return;
        }
        for (int k = 0; k < real.size(); k++) {
          compare(real.get(k), ours.get(k), where);
        }
      } else if (real.isTextual()) {
        assertThat(ours.isTextual()).as("%s: string expected, got %s", where, ours).isTrue();
        compareText(real.asText(), ours.asText(), where);
      } else if (real.isNumber()) {
        assertThat(ours.isNumber()).as("%s: number expected, got %s", where, ours).isTrue();
      } else {
        assertThat(ours).as(where).isEqualTo(real);
      }
    }

    private void compareText(String real, String ours, String where) {
      if (real.startsWith("v=0")) {
        assertThat(Fixtures.maskSdp(ours)).as("%s: SDP", where).isEqualTo(Fixtures.maskSdp(real));
        return;
      }
      String expected = substitute(real);
      if (expected.equals(ours)) {
        return;
      }
      // A value KMS made up (a session, object or subscription id): learn how it maps.
      List<String> realUuids = uuids(expected);
      List<String> ourUuids = uuids(ours);
      if (!ids.containsKey(real) && !realUuids.isEmpty() && realUuids.size() == ourUuids.size()
          && UUID.matcher(expected).replaceAll("U").equals(UUID.matcher(ours).replaceAll("U"))) {
        ids.put(real, ours);
        for (int k = 0; k < realUuids.size(); k++) {
          ids.putIfAbsent(realUuids.get(k), ourUuids.get(k));
        }
        return;
      }
      fail("%s: expected \"%s\" but was \"%s\"", where, expected, ours);
    }

    /** Strings that are all known ids or plain text (getSessions lists empty strings too). */
    private boolean allKnownIds(JsonNode array) {
      for (JsonNode v : array) {
        if (!v.isTextual() || (!ids.containsKey(v.asText()) && UUID.matcher(v.asText()).find())) {
          return false;
        }
      }
      return array.size() > 1;
    }

    private static List<String> uuids(String text) {
      List<String> found = new ArrayList<>();
      Matcher m = UUID.matcher(text);
      while (m.find()) {
        found.add(m.group());
      }
      return found;
    }

    private static Set<String> fieldNames(JsonNode node) {
      Set<String> names = new HashSet<>();
      node.fieldNames().forEachRemaining(names::add);
      return names;
    }

    void closeAll() {
      clients.values().forEach(RawKmsClient::close);
    }
  }
}
