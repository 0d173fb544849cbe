package io.switchboard.state.api;

import io.swagger.v3.oas.annotations.Operation;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** {@code GET /v1/stream}: the view's changes as Server-Sent Events. */
@RestController
@RequestMapping("/v1")
public class StreamController {

  /** The client address the gateway judged a request to come from (it sets it on /api/**). */
  static final String CLIENT_HEADER = "X-Switchboard-Client";

  private final ChangeStream changes;

  public StreamController(ChangeStream changes) {
    this.changes = changes;
  }

  @Operation(summary = "View changes as Server-Sent Events (event \"change\"), optionally for one room; "
      + "reconnect with Last-Event-ID to get what was missed")
  @GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  public SseEmitter stream(@RequestParam(required = false) String room,
      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
      @RequestHeader(name = CLIENT_HEADER, required = false) String client,
      jakarta.servlet.http.HttpServletRequest request) throws IOException {
    if (room != null) {
      PresenceController.checkRoomId(room);
    }
    if (lastEventId != null && !ChangeStream.isEventId(lastEventId)) {
      throw new PresenceController.BadInput("invalid-last-event-id",
          "Last-Event-ID is an id this stream sent: <milliseconds>-<sequence>, each a number below 2^63");
    }
    // The gateway names the client it proxies for; only services (with the service token) get here.
    String address = client != null && !client.isBlank() && client.length() <= 64 ? client : request.getRemoteAddr();
    return changes.subscribe(room, lastEventId, address);
  }
}
