package io.switchboard.testing;

import io.switchboard.launchers.RedisServerProcess;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A real redis-server and a template on it, for store tests without a Spring context:
 * {@code @RegisterExtension static final RedisFixture redis = new RedisFixture();}
 */
public final class RedisFixture implements BeforeAllCallback, AfterAllCallback {

  public RedisServerProcess redis;
  public LettuceConnectionFactory factory;
  public StringRedisTemplate template;

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  /** Starts redis-server and the template; for users outside JUnit (a JMH state). */
  public void start() {
    redis = RedisServerProcess.start();
    factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
    factory.afterPropertiesSet();
    factory.start();
    template = new StringRedisTemplate(factory);
    template.afterPropertiesSet();
  }

  public void flush() {
    template.execute((RedisCallback<Object>) c -> {
      c.serverCommands().flushAll();
      return null;
    });
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  public void stop() {
    factory.destroy();
    redis.close();
  }
}
