package io.switchboard.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * HCL2 files parsed by HashiCorp's own parser: npm's {@code @cdktf/hcl2json} (the hcl library in
 * WebAssembly), run with node by tests/delivery/node/hcl2json.mjs. Each file comes back as JSON in
 * hcl2json's shape: blocks are arrays of bodies, expressions are {@code "${...}"} strings.
 *
 * <p>Setting up the parser's WebAssembly takes node about a second, and the Terraform checks parse
 * a tree (a copy of terraform/ with one mistake) dozens of times: so one node process per JVM
 * ({@code hcl2json.mjs --serve}) answers every parse, and is started again if it dies. What a text
 * parses to does not depend on the file's name (the name is only in the parser's error messages),
 * so a text parsed without error is not sent again: its JSON is kept by the SHA-256 of the file's
 * bytes. A text with an error is parsed each time, so the message names the file at hand.
 */
final class HclParser {

  static final Path NODE_TOOLS = Repository.path("tests/delivery/node");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ANSWER_WITHIN = Duration.ofMinutes(2);

  /** What each text parsed without error gave, by the SHA-256 of its bytes; handed out as copies. */
  private static final Map<String, JsonNode> PARSED = new ConcurrentHashMap<>();

  /** The node process that answers, while it lives; changed only under HclParser.class's lock. */
  private static volatile Server server;

  private HclParser() {}

  /** Every file as JSON, in the order given; fails naming the file, line and column of a syntax error. */
  static Map<Path, JsonNode> parse(List<Path> files) {
    requireInstalled();
    Map<Path, String> texts = new LinkedHashMap<>();
    Map<Path, String> digests = new LinkedHashMap<>();
    for (Path file : files) {
      byte[] bytes = read(file);
      digests.put(file, sha256(bytes));
      // As node's readFile(file, "utf8") decodes: malformed bytes become U+FFFD.
      texts.put(file, new String(bytes, StandardCharsets.UTF_8));
    }
    List<Path> unparsed = files.stream().filter(file -> !PARSED.containsKey(digests.get(file))).toList();
    if (!unparsed.isEmpty()) {
      ObjectNode request = JSON.createObjectNode();
      ArrayNode sent = request.putArray("files");
      unparsed.forEach(file -> sent.addObject().put("name", file.toString()).put("contents", texts.get(file)));
      JsonNode answer = ask(request);
      List<String> errors = new ArrayList<>();
      answer.path("errors").forEach(error -> errors.add(error.asText()));
      if (!errors.isEmpty()) {
        throw new AssertionError("not valid HCL2 (@cdktf/hcl2json):\n" + String.join("\n", errors));
      }
      for (Path file : unparsed) {
        JsonNode json = answer.path("parsed").get(file.toString());
        if (json == null) {
          throw new AssertionError("hcl2json.mjs answered without " + file + ": " + answer);
        }
        PARSED.put(digests.get(file), json);
      }
    }
    Map<Path, JsonNode> byFile = new LinkedHashMap<>();
    files.forEach(file -> byFile.put(file, PARSED.get(digests.get(file)).deepCopy()));
    return byFile;
  }

  /** Fails, never skips: without the parser nothing about terraform/ can be checked. */
  private static void requireInstalled() {
    if (!Files.isDirectory(NODE_TOOLS.resolve("node_modules/@cdktf/hcl2json"))) {
      throw new AssertionError("the HCL2 parser is not installed in tests/delivery/node/node_modules: "
          + "run: npm ci --prefix tests/delivery/node (.ci/run does it)");
    }
  }

  /** One request to the node process, started (again) when there is none; one more try on a fresh one if it dies. */
  private static synchronized JsonNode ask(JsonNode request) {
    String line;
    try {
      line = JSON.writeValueAsString(request);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int attempt = 1; ; attempt++) {
      if (server == null || !server.process.isAlive()) {
        server = Server.start();
      }
      Server asked = server;
      Optional<String> answer;
      try {
        answer = asked.ask(line);
      } catch (RuntimeException | Error timedOut) {
        server = null;
        throw timedOut;
      }
      if (answer.isPresent()) {
        try {
          JsonNode json = JSON.readTree(answer.get());
          if (json.has("failure")) {
            throw new AssertionError("hcl2json.mjs --serve refused the request: " + json.path("failure").asText());
          }
          return json;
        } catch (IOException e) {
          throw new AssertionError("hcl2json.mjs --serve answered what is not JSON: " + answer.get(), e);
        }
      }
      server = null;
      String died = asked.died();
      if (attempt == 2) {
        throw new AssertionError("hcl2json.mjs --serve died twice while parsing: " + died);
      }
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code node hcl2json.mjs --serve}: requests on its stdin, one answer a line on its stdout, its stderr in a log. */
  private static final class Server {

    private static final Path LOG = Repository.path("tests/delivery/target/hcl2json-serve.log");
    private static boolean stopAtExit;

    private final Process process;
    private final Writer requests;
    /** Each line it answered; empty once its stdout ended. */
    private final BlockingQueue<Optional<String>> answers = new LinkedBlockingQueue<>();

    private Server(Process process) {
      this.process = process;
      this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Thread reader = new Thread(() -> {
        try {
          for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            answers.add(Optional.of(line));
          }
        } catch (IOException ignored) {
          // the process went away
        }
        answers.add(Optional.empty());
      }, "hcl2json-serve-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static Server start() {
      Process process;
      try {
        Files.createDirectories(LOG.getParent());
        process = new ProcessBuilder("node", NODE_TOOLS.resolve("hcl2json.mjs").toString(), "--serve")
            .redirectError(ProcessBuilder.Redirect.appendTo(LOG.toFile())).start();
      } catch (IOException e) {
        throw new AssertionError("cannot run node (" + e.getMessage() + "): install Debian's nodejs and npm "
            + "(.ci/run does)", e);
      }
      synchronized (Server.class) {
        if (!stopAtExit) {
          // node also ends when its stdin closes with the JVM; this only makes it sooner.
          Runtime.getRuntime().addShutdownHook(new Thread(HclParser::stopServer, "hcl2json-serve-stop"));
          stopAtExit = true;
        }
      }
      return new Server(process);
    }

    /** Its answer to one request line, or empty if it died first; fails if it does not answer in time. */
    Optional<String> ask(String request) {
      try {
        requests.write(request);
        requests.write('\n');
        requests.flush();
      } catch (IOException closed) {
        return Optional.empty();
      }
      try {
        Optional<String> answer = answers.poll(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        if (answer == null) {
          process.destroyForcibly();
          throw new AssertionError("hcl2json.mjs --serve did not answer within " + ANSWER_WITHIN + "; its stderr:\n"
              + logTail());
        }
        return answer;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new IllegalStateException(e);
      }
    }

    /** How it ended, for messages. */
    String died() {
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          return "its stdout closed; its stderr:\n" + logTail();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "exit code " + (process.isAlive() ? "none yet" : process.exitValue()) + "; its stderr:\n" + logTail();
    }

    private static String logTail() {
      try {
        String log = Files.exists(LOG) ? Files.readString(LOG, StandardCharsets.UTF_8) : "";
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
      } catch (IOException e) {
        return "(" + LOG + " unreadable: " + e.getMessage() + ")";
      }
    }
  }

  /** At the JVM's exit; takes no lock, so that a parse under way cannot hold the exit up. */
  private static void stopServer() {
    Server running = server;
    if (running != null) {
      running.process.destroy();
    }
  }
}
