package io.switchboard.signaling.domain;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * What a room allows. Today every room has the configured defaults; join-token grants (the
 * gateway) will narrow them per participant.
 *
 * @param maxParticipants members a room holds at most ({@code room-full} beyond)
 * @param mayPublish whether participants may send media (camera, screen, presenting)
 * @param mayRecord whether participants may record their camera
 * @param recordingUri where a recording goes: a URI template with {@code {room}}, {@code {name}}
 *     and {@code {time}} (epoch ms), e.g. {@code file:///var/lib/switchboard/recordings/{room}-{name}-{time}.webm}
 */
public record RoomLimits(int maxParticipants, boolean mayPublish, boolean mayRecord, String recordingUri) {

  /** The recording URI for one participant now; the name is percent-encoded (it may hold spaces). */
  public String recordingUri(String room, String name, long time) {
    String safeName = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    return recordingUri.replace("{room}", room).replace("{name}", safeName).replace("{time}", Long.toString(time));
  }
}
