package io.switchboard.signaling.placement.redis;

import io.switchboard.placement.contract.LoadReport;
import io.switchboard.signaling.domain.LoadReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/** Runs placement's load-report script (by SHA). A failed report is logged: placement's reconciliation catches up. */
public final class RedisLoadReporter implements LoadReporter {

  private static final Logger log = LoggerFactory.getLogger(RedisLoadReporter.class);
  private static final RedisScript<String> REPORT = RedisScript.of(LoadReport.SCRIPT, String.class);

  private final StringRedisTemplate redis;

  public RedisLoadReporter(StringRedisTemplate redis) {
    this.redis = redis;
  }

  @Override
  public void report(String roomId, String nodeId, int endpointDelta, int participantDelta) {
    try {
      String answer = redis.execute(REPORT, LoadReport.keys(roomId),
          LoadReport.args(roomId, nodeId, endpointDelta, participantDelta).toArray(Object[]::new));
      if (!"ok".equals(answer)) {
        log.debug("load report for room {} on {}: {}", roomId, nodeId, answer);
      }
    } catch (RuntimeException e) {
      log.warn("load report for room {} failed: {}", roomId, e.toString());
    }
  }
}
