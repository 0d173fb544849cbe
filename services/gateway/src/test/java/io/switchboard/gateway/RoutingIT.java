package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayFixture.count;
import static io.switchboard.gateway.GatewayFixture.openSockets;
import static io.switchboard.gateway.GatewayFixture.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.gateway.routing.PodChoice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * How the gateway picks a signaling pod, with three real pods behind it: the room's pod when the
 * room is known, the sticky cookie's pod when it is not, else the least-loaded; and a pod that
 * goes away gets no new sockets while only its own rooms move.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutingIT {

  static final GatewayFixture STACK = GatewayFixture.shared();
  static final ConfigurableApplicationContext GATEWAY = STACK.gateway();
  final List<GatewaySocket> sockets = new ArrayList<>();

  @AfterEach
  void closeSockets() {
    sockets.forEach(GatewaySocket::close);
    await().atMost(Duration.ofSeconds(10)).until(() -> openSockets(GATEWAY) == 0);
  }

  private GatewaySocket open(String pathAndQuery) {
    GatewaySocket s = GatewaySocket.to(url(GATEWAY, pathAndQuery)).open();
    sockets.add(s);
    return s;
  }

  private GatewaySocket openWithCookie(String cookie) {
    GatewaySocket s = GatewaySocket.to(url(GATEWAY, "/groupcall")).header("Cookie", cookie).open();
    sockets.add(s);
    return s;
  }

  private List<String> keys(int... pods) {
    List<String> keys = new ArrayList<>();
    for (int p : pods) {
      keys.add(STACK.key(p));
    }
    return keys;
  }

  private int indexOf(String key) {
    for (int i = 0; i < STACK.pods.size(); i++) {
      if (STACK.key(i).equals(key)) {
        return i;
      }
    }
    throw new AssertionError(key);
  }

  /** A room name that rendezvous hashing puts on pod {@code pod} of {@code pods}. */
  private String roomOn(int pod, List<String> pods, String prefix) {
    for (int i = 0; ; i++) {
      String room = prefix + i;
      if (PodChoice.rendezvous(pods, room).equals(STACK.key(pod))) {
        return room;
      }
    }
  }

  @Test
  @Order(1)
  void aRoomsParticipantsShareThePodItsNameHashesTo() {
    await().atMost(Duration.ofSeconds(10)).until(() -> joinsWork());
    double before = count(GATEWAY, "switchboard.gateway.routing.decisions", "reason", "affinity");
    Map<String, Set<String>> podsPerRoom = new HashMap<>();
    // One room that hashes to each pod (pod keys hold random ports, so fixed names could all land on
    // one), and one whose name is not an id.
    List<String> rooms = List.of(roomOn(0, keys(0, 1, 2), "standup-"), roomOn(1, keys(0, 1, 2), "retro-"),
        roomOn(2, keys(0, 1, 2), "all-hands-"), "alice & bob (1-1)");
    for (String room : rooms) {
      for (String name : List.of("alice", "bob", "carol", "dave")) {
        GatewaySocket s = open("/groupcall?room=" + java.net.URLEncoder.encode(room, java.nio.charset.StandardCharsets.UTF_8));
        s.join(name, room);
        podsPerRoom.computeIfAbsent(room, r -> new HashSet<>()).add(STACK.podOf(roomId(room), name));
      }
      String expected = "pod-" + indexOf(PodChoice.rendezvous(keys(0, 1, 2), room));
      assertThat(podsPerRoom.get(room)).as(room).containsExactly(expected);
    }
    assertThat(count(GATEWAY, "switchboard.gateway.routing.decisions", "reason", "affinity") - before).isEqualTo(16);
    // Every pod got the room that hashes to it: the gateway routes by room, not to one favourite pod.
    assertThat(podsPerRoom.values().stream().flatMap(Set::stream).distinct()).contains("pod-0", "pod-1", "pod-2");
  }

  /** Signaling's room id: the name when it is safe in a key, else ~ and a hash (see RoomIds). */
  private static String roomId(String room) {
    if (room.matches("[A-Za-z0-9._-]{1,64}")) {
      return room;
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(room.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "~" + java.util.HexFormat.of().formatHex(digest).substring(0, 40);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean joinsWork() {
    try (GatewaySocket probe = GatewaySocket.to(url(GATEWAY, "/groupcall")).open()) {
      probe.join("probe", "probe");
      probe.send(GatewaySocket.message("leaveRoom"));
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  @Test
  @Order(2)
  void withoutARoomTheStickyCookieBringsAClientBackToItsPodEvenWhenItIsTheBusiest() {
    GatewaySocket first = open("/groupcall");
    first.join("erin", "sticky-1");
    String pod = STACK.podOf("sticky-1", "erin");
    String cookie = first.cookiePair();
    assertThat(cookie).startsWith("SB_POD=");
    assertThat(first.setCookie()).containsIgnoringCase("HttpOnly").contains("Path=/groupcall").contains("SameSite=Lax");

    // The first socket stays open: its pod is now the busiest, and least-loaded would avoid it.
    double sticky = count(GATEWAY, "switchboard.gateway.routing.decisions", "reason", "sticky");
    for (int i = 0; i < 3; i++) {
      GatewaySocket again = openWithCookie(cookie);
      again.join("erin-" + i, "sticky-1");
      assertThat(STACK.podOf("sticky-1", "erin-" + i)).isEqualTo(pod);
    }
    assertThat(count(GATEWAY, "switchboard.gateway.routing.decisions", "reason", "sticky") - sticky).isEqualTo(3);

    // A cookie naming no ready pod (forged, or a pod long gone) is ignored: least-loaded.
    double leastLoaded = count(GATEWAY, "switchboard.gateway.routing.decisions", "reason", "least-loaded");
    GatewaySocket stranger = openWithCookie("SB_POD=0123456789abcdef");
    stranger.join("frank", "sticky-1");
    assertThat(STACK.podOf("sticky-1", "frank")).isNotEqualTo(pod);
    assertThat(count(GATEWAY, "switchboard.gateway.routing.decisions", "reason", "least-loaded") - leastLoaded)
        .isEqualTo(1);
  }

  @Test
  @Order(3)
  void withNeitherRoomNorCookieEachNewSocketGoesToThePodWithFewestOpenSockets() {
    Set<String> pods = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      GatewaySocket s = open("/groupcall");
      s.join("p" + i, "spread");
      pods.add(STACK.podOf("spread", "p" + i));
    }
    assertThat(pods).containsExactlyInAnyOrder("pod-0", "pod-1", "pod-2");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(io.switchboard.gateway.GatewayFixture
        .gauge(GATEWAY, "switchboard.gateway.sockets", "pod", STACK.key(0))).isEqualTo(1));
  }

  @Test
  @Order(4)
  void aPodThatGoesAwayGetsNoNewSocketsAndOnlyItsRoomsMove() {
    List<String> all = keys(0, 1, 2);
    String onA = roomOn(0, all, "a-");
    String onB = roomOn(1, all, "b-");
    List<String> onC = List.of(roomOn(2, all, "c-"), roomOn(2, all, "cc-"), roomOn(2, all, "ccc-"));
    try {
      STACK.kill(2);
      // The gateway's readiness checks drop it within a round or two.
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (GatewaySocket s = GatewaySocket.to(url(GATEWAY, "/groupcall?room=" + onC.get(0))).open()) {
          return s.closed.getNow(null) == null && s.isOpen() && joins(s, "probe", onC.get(0), null);
        }
      });
      // Rooms of the pods that remain stay where they were.
      GatewaySocket a = open("/groupcall?room=" + onA);
      a.join("alice", onA);
      assertThat(STACK.podOf(onA, "alice")).isEqualTo("pod-0");
      GatewaySocket b = open("/groupcall?room=" + onB);
      b.join("bob", onB);
      assertThat(STACK.podOf(onB, "bob")).isEqualTo("pod-1");
      // The lost pod's rooms move to where hashing over the remaining pods puts them.
      for (String room : onC) {
        GatewaySocket c = open("/groupcall?room=" + room);
        c.join("carol", room);
        String expected = "pod-" + indexOf(PodChoice.rendezvous(keys(0, 1), room));
        assertThat(STACK.podOf(room, "carol")).isEqualTo(expected);
      }
      // And no socket without a room goes to it either.
      for (int i = 0; i < 6; i++) {
        GatewaySocket s = open("/groupcall");
        s.join("n" + i, "no-room");
        assertThat(STACK.podOf("no-room", "n" + i)).isNotEqualTo("pod-2");
      }
    } finally {
      STACK.restart(2);
    }
    // Back: its rooms return to it for new sockets.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try (GatewaySocket s = GatewaySocket.to(url(GATEWAY, "/groupcall?room=" + onC.get(1))).open()) {
        return joins(s, "back", onC.get(1), "pod-2");
      }
    });
  }

  /**
   * Whether {@code name} can join {@code room} through {@code s} (on {@code pod}, when given). Where
   * the member sits is read before it leaves: once leaveRoom is sent it may be gone from the store.
   */
  private static boolean joins(GatewaySocket s, String name, String room, String pod) {
    try {
      s.join(name, room);
      boolean onPod = pod == null || STACK.podOf(room, name).equals(pod);
      s.send(GatewaySocket.message("leaveRoom"));
      return onPod;
    } catch (AssertionError | RuntimeException e) {
      return false; // not answered, or the socket closed under the send (routed to the dead pod)
    }
  }
}
