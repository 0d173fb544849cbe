package io.switchboard.signaling.domain;

import io.switchboard.signaling.domain.Cluster.Pod;
import org.junit.jupiter.api.AfterEach;

/** What most of the domain's tests start from: two signaling pods on one cluster of fakes, closed after each test. */
abstract class TwoPods {

  final Cluster cluster = new Cluster();
  final Pod podA = cluster.pod("pod-a");
  final Pod podB = cluster.pod("pod-b");

  @AfterEach
  void closeCluster() {
    cluster.close();
  }
}
