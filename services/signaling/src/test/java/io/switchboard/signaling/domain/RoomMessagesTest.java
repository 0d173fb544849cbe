package io.switchboard.signaling.domain;

import static io.switchboard.signaling.domain.Cluster.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.switchboard.groupcall.protocol.ClientMessage;
import io.switchboard.groupcall.protocol.ErrorCode;
import io.switchboard.groupcall.protocol.ServerMessage;
import io.switchboard.presence.PresenceEvent;
import io.switchboard.presence.PresenceType;
import io.switchboard.signaling.domain.Cluster.Client;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What participants say to the room without media: chat, and their media state. */
class RoomMessagesTest extends TwoPods {

  static final String ROOM = "standup";

  Client alice;
  Client bob;
  Client carol;
  Client dave;

  @BeforeEach
  void join() {
    alice = podA.join(ROOM, "alice");
    bob = podB.join(ROOM, "bob");
    carol = podA.join(ROOM, "carol");
    dave = podA.join("retro", "dave");
    cluster.settle();
  }

  List<ServerMessage.ChatMessage> chats(Client c) {
    return c.channel.sent(ServerMessage.ChatMessage.class);
  }

  @Test
  void chatToTheRoomReachesEveryoneInItTheWriterToo() {
    alice.send(new ClientMessage.Chat("good morning", null, null));
    cluster.settle();

    ServerMessage.ChatMessage expected = new ServerMessage.ChatMessage("alice", "good morning", null,
        cluster.clock.millis());
    assertThat(chats(alice)).containsExactly(expected);
    assertThat(chats(bob)).containsExactly(expected);
    assertThat(chats(carol)).containsExactly(expected);
    assertThat(chats(dave)).as("another room").isEmpty();
  }

  @Test
  void aDirectMessageReachesItsAddresseeAndItsWriterOnly() {
    alice.send(new ClientMessage.Chat("psst", "bob", null));
    cluster.settle();

    ServerMessage.ChatMessage expected = new ServerMessage.ChatMessage("alice", "psst", "bob", cluster.clock.millis());
    assertThat(chats(bob)).containsExactly(expected);
    assertThat(chats(alice)).containsExactly(expected);
    assertThat(chats(carol)).isEmpty();
  }

  @Test
  void aDirectMessageToSomeoneNotInTheRoomIsRefused() {
    int published = cluster.bus.published(ROOM).size();

    refusal(ErrorCode.UNKNOWN_SENDER, () -> alice.send(new ClientMessage.Chat("hello?", "dave", null)));
    cluster.settle();

    assertThat(cluster.bus.published(ROOM)).hasSize(published);
    assertThat(chats(alice)).isEmpty();
    assertThat(chats(dave)).isEmpty();
  }

  @Test
  void aMediaStateReachesEveryoneTheSenderTooAndIsRemembered() {
    alice.send(new ClientMessage.MediaState(false, true, null));
    cluster.settle();

    ServerMessage.ParticipantMediaState expected = new ServerMessage.ParticipantMediaState("alice", false, true);
    for (Client c : List.of(alice, bob, carol)) {
      assertThat(c.channel.sent(ServerMessage.ParticipantMediaState.class)).as(c.name).containsExactly(expected);
    }
    assertThat(dave.channel.sent(ServerMessage.ParticipantMediaState.class)).isEmpty();
    assertThat(alice.record(cluster).audio()).isFalse();
    assertThat(alice.record(cluster).video()).isTrue();
    assertThat(cluster.presence.events(PresenceType.PARTICIPANT_MEDIA_CHANGED))
        .extracting(PresenceEvent::participant, PresenceEvent::audio, PresenceEvent::video)
        .containsExactly(tuple("alice", false, true));
    Client resumed = alice.resumeOn(podB);
    assertThat(resumed.participant.audio).as("carried to another pod").isFalse();
    Client erin = podB.join(ROOM, "erin");
    assertThat(erin.channel.last(ServerMessage.ExistingParticipants.class).participants())
        .contains(new ServerMessage.ParticipantState("alice", false, true, false));
  }
}
