package io.switchboard.placement.store.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The placement decision's own Redis connection: EVALSHA straight through Lettuce. It is the one
 * hot path of the service, and Spring's template adds a connection proxy and conversions per
 * call that cost a third of the decision rate (docs/benchmarks.md). Uses Spring's Lettuce client
 * and its timeout; the connection is opened on first use and reconnects by itself.
 */
final class PlaceScriptCommand implements AutoCloseable {

  private final RedisClient client;
  private final Duration timeout;
  private final String script;
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile String sha;

  private PlaceScriptCommand(RedisClient client, Duration timeout, String script) {
    this.client = client;
    this.timeout = timeout;
    this.script = script;
  }

  /** Null when the factory is not a standalone Lettuce one (the template is used then). */
  static PlaceScriptCommand of(RedisConnectionFactory factory, String script) {
    if (factory instanceof LettuceConnectionFactory lettuce && lettuce.getNativeClient() instanceof RedisClient client) {
      return new PlaceScriptCommand(client, Duration.ofMillis(lettuce.getTimeout()), script);
    }
    return null;
  }

  List<Object> run(String[] keys, String... args) {
    RedisCommands<String, String> commands = commands();
    try {
      try {
        return commands.evalsha(sha(commands), ScriptOutputType.MULTI, keys, args);
      } catch (RedisNoScriptException e) {
        // Redis restarted or its script cache was flushed: load again, once.
        sha = commands.scriptLoad(script);
        return commands.evalsha(sha, ScriptOutputType.MULTI, keys, args);
      }
    } catch (RuntimeException e) {
      throw new DataAccessResourceFailureException("placement script failed: " + e.getMessage(), e);
    }
  }

  private String sha(RedisCommands<String, String> commands) {
    String s = sha;
    if (s == null) {
      s = commands.scriptLoad(script);
      sha = s;
    }
    return s;
  }

  private RedisCommands<String, String> commands() {
    StatefulRedisConnection<String, String> c = connection;
    if (c == null) {
      synchronized (this) {
        c = connection;
        if (c == null) {
          try {
            c = client.connect();
          } catch (RuntimeException e) {
            throw new DataAccessResourceFailureException("Redis is unreachable: " + e.getMessage(), e);
          }
          c.setTimeout(timeout);
          connection = c;
        }
      }
    }
    return c.sync();
  }

  @Override
  public void close() {
    StatefulRedisConnection<String, String> c = connection;
    if (c != null) {
      c.close();
    }
  }
}
