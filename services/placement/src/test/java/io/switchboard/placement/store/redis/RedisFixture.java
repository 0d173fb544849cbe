package io.switchboard.placement.store.redis;

import io.switchboard.testing.RedisServerProcess;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** A real redis-server and a template on it, for store tests without a Spring context. */
public final class RedisFixture implements AutoCloseable {

  public final RedisServerProcess redis = RedisServerProcess.start();
  public final LettuceConnectionFactory factory;
  public final StringRedisTemplate template;

  public RedisFixture() {
    factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
    factory.afterPropertiesSet();
    factory.start();
    template = new StringRedisTemplate(factory);
    template.afterPropertiesSet();
  }

  public void flush() {
    template.execute((org.springframework.data.redis.core.RedisCallback<Object>) c -> {
      c.serverCommands().flushAll();
      return null;
    });
  }

  @Override
  public void close() {
    factory.destroy();
    redis.close();
  }
}
