package io.switchboard.state.api;

import io.swagger.v3.oas.annotations.Operation;
import io.switchboard.state.view.PresenceView;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The view, read-only: rooms, one room, one person's presence. */
@RestController
@RequestMapping("/v1")
public class PresenceController {

  /** Room ids as signaling keeps them: its safe names, or ~ and hex. */
  private static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");
  /** Identities: a join token's subject (an email, a user id), or a participant's name. */
  private static final Pattern IDENTITY = Pattern.compile("[\\p{L}\\p{N} ._'@+:|-]{1,256}");

  private final PresenceView view;

  public PresenceController(PresenceView view) {
    this.view = view;
  }

  @Operation(summary = "Open rooms, with their participant counts")
  @GetMapping("/rooms")
  public List<PresenceView.RoomSummary> rooms() {
    return view.rooms();
  }

  @Operation(summary = "One open room and its participants")
  @GetMapping("/rooms/{roomId}")
  public ResponseEntity<PresenceView.Room> room(@PathVariable String roomId) {
    checkRoomId(roomId);
    return view.room(roomId).map(ResponseEntity::ok).orElseThrow(() ->
        new NotFound("unknown-room", "no open room " + roomId));
  }

  @Operation(summary = "Where someone is: the rooms they are in (connected or waiting to resume), and when last seen")
  @GetMapping("/users/{identity}/presence")
  public PresenceView.Presence presence(@PathVariable String identity) {
    if (!IDENTITY.matcher(identity).matches() || identity.isBlank()) {
      throw new BadInput("invalid-identity", "an identity is 1 to 256 letters, digits, spaces or . _ ' @ + : | -");
    }
    return view.presence(identity);
  }

  static void checkRoomId(String roomId) {
    if (!ROOM_ID.matcher(roomId).matches()) {
      throw new BadInput("invalid-room-id", "a room id is 1 to 128 characters of A-Z a-z 0-9 . _ ~ -");
    }
  }

  static final class BadInput extends RuntimeException {
    final String code;

    BadInput(String code, String message) {
      super(message);
      this.code = code;
    }
  }

  static final class NotFound extends RuntimeException {
    final String code;

    NotFound(String code, String message) {
      super(message);
      this.code = code;
    }
  }

  /** Bad input anywhere in the API: a 4xx problem with a {@code code}. */
  @org.springframework.web.bind.annotation.RestControllerAdvice
  static class Problems {

    @ExceptionHandler(BadInput.class)
    ResponseEntity<ProblemDetail> badInput(BadInput e) {
      return problem(HttpStatus.BAD_REQUEST, e.code, e.getMessage());
    }

    @ExceptionHandler(ChangeStream.Refused.class)
    ResponseEntity<ProblemDetail> refused(ChangeStream.Refused e) {
      HttpStatus status = e.code.equals("too-many-subscribers-here") ? HttpStatus.TOO_MANY_REQUESTS
          : HttpStatus.SERVICE_UNAVAILABLE;
      ResponseEntity<ProblemDetail> problem = problem(status, e.code, e.getMessage());
      return ResponseEntity.status(status).headers(problem.getHeaders()).header("Retry-After", "5").body(problem.getBody());
    }

    @ExceptionHandler(NotFound.class)
    ResponseEntity<ProblemDetail> notFound(NotFound e) {
      return problem(HttpStatus.NOT_FOUND, e.code, e.getMessage());
    }
  }

  static ResponseEntity<ProblemDetail> problem(HttpStatus status, String code, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(java.net.URI.create("https://switchboard.io/problems/" + code));
    problem.setProperty("code", code);
    return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }
}
