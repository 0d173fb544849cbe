package io.switchboard.loadgen.scenario;

import io.switchboard.loadgen.client.ClientSettings;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

/**
 * How a run is carried out and reported, whatever its scenario.
 *
 * @param client how each participant behaves on the wire
 * @param threads the pool that runs every socket's listener
 * @param out where the JSON and Markdown reports go (null: nowhere)
 * @param progress print the one-line progress every second
 * @param console where progress and the summary are printed
 * @param seed random source of offers and candidates
 * @param runId names this run's rooms and report files
 * @param kmsUrl the media server whose raw JSON-RPC round trip, and the floor under a join and an
 *     offer, are measured during the run (null: none)
 * @param redisUrl the Redis server whose round trip the floor includes (null: none)
 */
public record RunSettings(ClientSettings client, int threads, Path out, boolean progress, PrintStream console,
    long seed, String runId, URI kmsUrl, URI redisUrl) {

  public static RunSettings defaults(List<URI> urls) {
    SecureRandom random = new SecureRandom();
    return new RunSettings(ClientSettings.defaults(urls), 2, null, true, System.out, random.nextLong(),
        newRunId(random), null, null);
  }

  public RunSettings withKmsUrl(URI value) {
    return new RunSettings(client, threads, out, progress, console, seed, runId, value, redisUrl);
  }

  public RunSettings withRedisUrl(URI value) {
    return new RunSettings(client, threads, out, progress, console, seed, runId, kmsUrl, value);
  }

  public RunSettings withClient(ClientSettings value) {
    return new RunSettings(value, threads, out, progress, console, seed, runId, kmsUrl, redisUrl);
  }

  public RunSettings withThreads(int value) {
    return new RunSettings(client, value, out, progress, console, seed, runId, kmsUrl, redisUrl);
  }

  public RunSettings withOut(Path value) {
    return new RunSettings(client, threads, value, progress, console, seed, runId, kmsUrl, redisUrl);
  }

  public RunSettings withProgress(boolean value) {
    return new RunSettings(client, threads, out, value, console, seed, runId, kmsUrl, redisUrl);
  }

  public RunSettings withConsole(PrintStream value) {
    return new RunSettings(client, threads, out, progress, value, seed, runId, kmsUrl, redisUrl);
  }

  public RunSettings withSeed(long value) {
    return new RunSettings(client, threads, out, progress, console, value, runId, kmsUrl, redisUrl);
  }

  public RunSettings withRunId(String value) {
    return new RunSettings(client, threads, out, progress, console, seed, value, kmsUrl, redisUrl);
  }

  /** Room names start with this, so runs never meet each other's leftovers. */
  public String roomPrefix() {
    return "lg-" + runId + "-";
  }

  /** Six characters of [a-z0-9]: a run's name, unique enough among the runs against one system. */
  static String newRunId(java.util.Random random) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder s = new StringBuilder(6);
    for (int i = 0; i < 6; i++) {
      s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }
}
