package io.switchboard.signaling.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A {@link LoadReporter} that keeps every report and sums them per room and per node; synchronized. */
public final class RecordingLoadReporter implements LoadReporter {

  /** One {@link #report} call. */
  public record Report(String roomId, String nodeId, int endpointDelta, int participantDelta) {}

  /** Endpoints and participants, summed. */
  public record Load(int endpoints, int participants) {
    static final Load NONE = new Load(0, 0);

    Load plus(Load other) {
      return new Load(endpoints + other.endpoints, participants + other.participants);
    }
  }

  private final List<Report> reports = new ArrayList<>();
  private final Map<String, Load> byRoom = new HashMap<>();
  private final Map<String, Load> byNode = new HashMap<>();

  @Override
  public synchronized void report(String roomId, String nodeId, int endpointDelta, int participantDelta) {
    reports.add(new Report(roomId, nodeId, endpointDelta, participantDelta));
    Load delta = new Load(endpointDelta, participantDelta);
    byRoom.merge(roomId, delta, Load::plus);
    byNode.merge(nodeId, delta, Load::plus);
  }

  /** A room's load: the sum of its reports (on any node). */
  public synchronized Load room(String roomId) {
    return byRoom.getOrDefault(roomId, Load.NONE);
  }

  /** A node's load: the sum of its reports (for any room). */
  public synchronized Load node(String nodeId) {
    return byNode.getOrDefault(nodeId, Load.NONE);
  }

  /** A room's load on one node (a rebuilt room has load on its old and new node). */
  public synchronized Load room(String roomId, String nodeId) {
    return reports.stream()
        .filter(r -> r.roomId().equals(roomId) && r.nodeId().equals(nodeId))
        .map(r -> new Load(r.endpointDelta(), r.participantDelta()))
        .reduce(Load.NONE, Load::plus);
  }

  /** Every report, in order. */
  public synchronized List<Report> reports() {
    return List.copyOf(reports);
  }
}
