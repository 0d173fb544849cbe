package io.switchboard.state.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;

/** Which failures to apply mean "wait for the store" and which mean "this event will never apply". */
class StoreFailuresTest {

  @Test
  void theStoreBeingAwayOrBusyIsTransient() {
    assertThat(StoreFailures.isTransient(new RedisConnectionFailureException("Unable to connect to Redis"))).isTrue();
    assertThat(StoreFailures.isTransient(new org.springframework.dao.QueryTimeoutException("Redis command timed out")))
        .isTrue();
    assertThat(StoreFailures.isTransient(new RedisSystemException("Error in execution",
        new RedisCommandExecutionException("LOADING Redis is loading the dataset in memory")))).isTrue();
    assertThat(StoreFailures.isTransient(new RedisSystemException("Error in execution",
        new RedisCommandExecutionException("OOM command not allowed when used memory > 'maxmemory'.")))).isTrue();
  }

  @Test
  void whatRetryingCannotFixIsNot() {
    assertThat(StoreFailures.isTransient(new RedisSystemException("Error in execution",
        new RedisCommandExecutionException("WRONGTYPE Operation against a key holding the wrong kind of value"))))
        .isFalse();
    assertThat(StoreFailures.isTransient(new IllegalArgumentException("sequence must be positive"))).isFalse();
    assertThat(StoreFailures.isTransient(new NullPointerException())).isFalse();
  }
}
