package io.switchboard.signaling.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ProtocolException;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.groupcall.protocol.Stream;
import io.switchboard.signaling.domain.Cluster.Client;
import io.switchboard.signaling.domain.Cluster.Pod;
import io.switchboard.signaling.domain.FakeMediaServer.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the rooms' state machine: any sequence of joins, leaves, offers,
 * dropped sockets, resumes, a pod's death and time passing, on two pods against the fakes. Whatever
 * happened, once the pods have had time to clean up: no member without a live owner (its pod
 * alive, or it waits for a resume), no endpoint without a member, no room without a pipeline and
 * no pipeline without a room. A refusal ({@link ProtocolException}) is a fine answer; any other
 * exception is a finding.
 */
class RoomStateFuzzTest {

  static final String[] NAMES = {"ann", "ben", "cy"};
  static final String[] ROOMS = {"r1", "r2"};
  static final String OFFER = "v=0 an offer";

  @FuzzTest(maxDuration = "20s")
  void anySequenceLeavesNoGhost(FuzzedDataProvider data) {
    try (Cluster cluster = new Cluster()) {
      List<Pod> alive = new ArrayList<>(List.of(cluster.pod("pod-a"), cluster.pod("pod-b")));
      alive.forEach(Pod::beat);
      Map<String, Client> sockets = new LinkedHashMap<>();
      int steps = data.consumeInt(1, 40);
      for (int step = 0; step < steps && data.remainingBytes() > 0; step++) {
        String name = data.pickValue(NAMES);
        Client socket = sockets.get(name);
        try {
          switch (data.consumeInt(0, 8)) {
            case 0 -> {
              Client c = new Client(data.pickValue(alive), data.pickValue(ROOMS), name, new RecordingChannel());
              c.send(new ClientMessage.JoinRoom(name, c.room, "j"));
              if (c.participant != null) {
                c.token = c.channel.last(ServerMessage.Session.class).token();
                sockets.put(name, c);
              }
            }
            case 1 -> {
              if (socket != null && socket.participant != null) {
                socket.leave();
                sockets.remove(name);
              }
            }
            case 2 -> {
              if (socket != null && socket.participant != null) {
                socket.disconnect();
                socket.participant = null;
              }
            }
            case 3 -> {
              if (socket != null && socket.token != null) {
                Client c = new Client(data.pickValue(alive), socket.room, name, new RecordingChannel());
                c.send(new ClientMessage.Resume(socket.token, "r"));
                if (c.participant != null) {
                  c.token = c.channel.last(ServerMessage.Session.class).token();
                  sockets.put(name, c);
                }
              }
            }
            case 4 -> {
              if (socket != null && socket.participant != null) {
                socket.send(new ClientMessage.ReceiveVideoFrom(data.pickValue(NAMES), OFFER, Stream.WEBCAM, null));
              }
            }
            case 5 -> {
              if (socket != null && socket.participant != null) {
                socket.send(new ClientMessage.PublishScreen(OFFER, null));
              }
            }
            case 6 -> {
              if (alive.size() > 1) {
                Pod dead = alive.remove(data.consumeInt(0, 1));
                dead.crash();
                sockets.values().removeIf(c -> c.pod == dead);
              }
            }
            case 7 -> cluster.elapse(Duration.ofSeconds(data.consumeInt(1, 30)), alive.toArray(Pod[]::new));
            default -> {
              if (socket != null && socket.participant != null) {
                socket.send(new ClientMessage.MediaState(data.consumeBoolean(), data.consumeBoolean(), null));
              }
            }
          }
        } catch (ProtocolException refused) {
          // a refusal is an answer
        }
        cluster.settle();
      }
      // Everyone still here goes; the pods clean up after the dead one and the leavers.
      for (Client c : sockets.values()) {
        if (c.participant != null && alive.contains(c.pod)) {
          try {
            c.leave();
          } catch (ProtocolException refused) {
            // gone already
          }
        }
      }
      cluster.elapse(Cluster.HEARTBEAT_TIMEOUT.plus(Cluster.RESUME_GRACE).plus(RoomSweeper.INTERVAL.multipliedBy(3)),
          alive.toArray(Pod[]::new));
      assertNoGhost(cluster);
    }
  }

  private static void assertNoGhost(Cluster cluster) {
    Set<String> rooms = cluster.store.roomIds();
    assertThat(rooms).as("rooms left open with nobody in them").allSatisfy(r ->
        assertThat(cluster.store.members(r)).isNotEmpty());
    Set<String> pipelines = new HashSet<>();
    for (String roomId : rooms) {
      RoomStore.RoomRecord room = cluster.store.room(roomId).orElseThrow();
      assertThat(cluster.kms.exists(room.kmsUrl(), room.pipelineId())).as("room %s without its pipeline", roomId).isTrue();
      pipelines.add(room.pipelineId());
      Set<String> held = new HashSet<>();
      cluster.store.members(roomId).values().forEach(m -> held.addAll(m.endpoints()));
      assertThat(new HashSet<>(cluster.kms.children(room.kmsUrl(), room.pipelineId())))
          .as("endpoints of room %s: exactly its members'", roomId).isEqualTo(held);
    }
    assertThat(cluster.kms.liveObjects(Cluster.KMS_0, Kind.PIPELINE) + cluster.kms.liveObjects(Cluster.KMS_1,
        Kind.PIPELINE)).as("pipelines without a room").isEqualTo(pipelines.size());
    assertThat(cluster.store.roomIds()).as("members without a room").containsAll(allMemberRooms(cluster));
  }

  private static Set<String> allMemberRooms(Cluster cluster) {
    Set<String> withMembers = new HashSet<>();
    for (String room : ROOMS) {
      String roomId = RoomIds.of(room);
      if (!cluster.store.members(roomId).isEmpty()) {
        withMembers.add(roomId);
      }
    }
    return withMembers;
  }
}
