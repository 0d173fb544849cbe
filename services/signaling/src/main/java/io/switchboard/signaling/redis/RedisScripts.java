package io.switchboard.signaling.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts of {@code resources/redis/}, each read once. Spring's script executor runs a
 * script by its SHA (EVALSHA) and sends the source (EVAL, which caches it again) only when Redis
 * answers NOSCRIPT, after a restart or a SCRIPT FLUSH.
 */
public final class RedisScripts {

  private RedisScripts() {}

  /** {@code resources/redis/<name>.lua}, answering {@code type}. */
  public static <T> RedisScript<T> load(String name, Class<T> type) {
    String path = "redis/" + name + ".lua";
    try {
      return RedisScript.of(new ClassPathResource(path, RedisScripts.class.getClassLoader())
          .getContentAsString(StandardCharsets.UTF_8), type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
