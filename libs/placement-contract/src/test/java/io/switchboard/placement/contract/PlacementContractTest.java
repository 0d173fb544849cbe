package io.switchboard.placement.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementContractTest {

  @Test
  void everyKeyCarriesTheSameHashTag() {
    for (String key : List.of(PlacementKeys.nodes(), PlacementKeys.node("n"), PlacementKeys.nodeRooms("n"),
        PlacementKeys.room("r"), PlacementKeys.candidates(), PlacementKeys.candidateScores(),
        PlacementKeys.monitorLease("n"), PlacementKeys.announcements())) {
      assertThat(key).startsWith("sb:{placement}:");
    }
  }

  @Test
  void announcementsReadFromStreamFields() {
    NodeAnnouncement a = NodeAnnouncement.fromFields(Map.of("type", "NODE_DRAINED", "nodeId", "kms-1",
        "rooms", "r1,r2", "reason", "drain deadline passed", "at", "1795213382733"));
    assertThat(a).isEqualTo(new NodeAnnouncement(NodeAnnouncement.Type.NODE_DRAINED, "kms-1", List.of("r1", "r2"),
        "drain deadline passed", 1795213382733L));
    assertThat(NodeAnnouncement.fromFields(Map.of("type", "NODE_DOWN", "nodeId", "kms-2")).rooms()).isEmpty();
  }

  @Test
  void loadReportScriptCarriesThePreludeAndItsArguments() {
    assertThat(LoadReport.SCRIPT).contains("local function refreshCandidate").contains("'not-placed'");
    assertThat(LoadReport.keys("r1")).containsExactly("sb:{placement}:room:r1");
    assertThat(LoadReport.args("r1", "kms-1", 2, -1)).containsExactly("sb:{placement}:", "r1", "kms-1", "2", "-1");
  }
}
