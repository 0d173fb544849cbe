package io.switchboard.signaling.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Identifiers and resume tokens: their form, and that they do not repeat. */
class IdsTest {

  @Test
  void anIdIsAVersion4UuidInItsTextForm() {
    for (int i = 0; i < 1_000; i++) {
      String id = Ids.fresh();
      UUID parsed = UUID.fromString(id);
      assertThat(parsed.toString()).isEqualTo(id);
      assertThat(parsed.version()).isEqualTo(4);
      assertThat(parsed.variant()).isEqualTo(2);
    }
  }

  @Test
  void idsFromManyThreadsDoNotRepeat() throws Exception {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      Future<?>[] done = new Future<?>[8];
      for (int t = 0; t < done.length; t++) {
        done[t] = threads.submit(() -> {
          for (int i = 0; i < 25_000; i++) {
            seen.add(Ids.fresh());
          }
        });
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(seen).hasSize(200_000);
  }

  @Test
  void aResumeTokenIs32RandomBytesInBase64Url() {
    Set<String> tokens = new java.util.HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      String token = SessionTokens.newToken();
      assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
      tokens.add(token);
    }
    assertThat(tokens).hasSize(1_000);
    assertThat(SessionTokens.hash("t")).hasSize(64);
  }
}
