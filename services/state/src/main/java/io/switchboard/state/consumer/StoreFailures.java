package io.switchboard.state.consumer;

import java.util.List;

/**
 * Whether a failure to apply events is the store being away for a while (wait and retry, however
 * long it takes) or something retrying will not fix (the event goes to the dead-letter topic).
 */
public final class StoreFailures {

  /** Redis's answers that say "not now" rather than "never". */
  private static final List<String> BUSY = List.of("LOADING", "BUSY", "OOM", "READONLY", "MASTERDOWN", "TRYAGAIN",
      "CLUSTERDOWN", "NOREPLICAS");

  private StoreFailures() {}

  public static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.springframework.data.redis.RedisConnectionFailureException
          || t instanceof org.springframework.dao.QueryTimeoutException
          || t instanceof org.springframework.dao.TransientDataAccessException
          || t instanceof io.lettuce.core.RedisConnectionException
          || t instanceof io.lettuce.core.RedisCommandTimeoutException
          || t instanceof java.io.IOException
          || t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
      String message = t.getMessage();
      if (message != null && BUSY.stream().anyMatch(message::startsWith)) {
        return true;
      }
    }
    return false;
  }
}
