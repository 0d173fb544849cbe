package io.switchboard.signaling.placement.http;

import io.switchboard.signaling.domain.RoomPlacementClient;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;

/** The placement service's HTTP API (docs/placement.md). */
public final class HttpRoomPlacementClient implements RoomPlacementClient {

  private final RestClient http;

  public HttpRoomPlacementClient(RestClient http) {
    // A 401 is configuration, not a passing outage: say which setting to fix.
    this.http = http.mutate().defaultStatusHandler(status -> status.value() == 401, (request, response) -> {
      throw new IllegalStateException("placement refused this pod's credential: switchboard.service-token must be"
          + " set, and the same on every service");
    }).build();
  }

  private record Placement(String roomId, String nodeId, String kmsUrl, String placedAt) {}

  @Override
  public PlacedRoom place(String roomId, int expectedParticipants) {
    Placement p = http.put().uri("/v1/rooms/{roomId}/placement", roomId)
        .contentType(MediaType.APPLICATION_JSON)
        .body(Map.of("expectedParticipants", expectedParticipants))
        .retrieve()
        .body(Placement.class);
    if (p == null || p.kmsUrl() == null) {
      throw new IllegalStateException("placement answered without a node for room " + roomId);
    }
    return new PlacedRoom(p.nodeId(), p.kmsUrl());
  }

  /**
   * Asks placement a few times for the placement of a room that cannot exist (no room id has the
   * form {@code ~rehearsal}): connections, the credential, the way through the client; nothing placed.
   */
  @Override
  public void prepare() {
    try {
      for (int i = 0; i < 5; i++) {
        try {
          http.get().uri("/v1/rooms/{roomId}/placement", "~rehearsal").retrieve().body(Placement.class);
        } catch (HttpClientErrorException.NotFound expected) {
          // not placed, as it cannot be
        }
      }
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(HttpRoomPlacementClient.class)
          .info("placement not asked ahead (it is on the first room opened): {}", e.toString());
    }
  }

  @Override
  public void release(String roomId) {
    try {
      http.delete().uri("/v1/rooms/{roomId}/placement", roomId).retrieve().toBodilessEntity();
    } catch (HttpClientErrorException e) {
      if (e.getStatusCode() != HttpStatus.NOT_FOUND) {
        throw e;
      }
    }
  }
}
