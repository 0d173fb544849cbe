package io.switchboard.healthcheck;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A container's health check without a shell or curl in the image (Docker's {@code HEALTHCHECK}
 * runs it with {@code java -jar}): exit 0 when the target answers, 1 otherwise, one line on
 * standard output either way.
 *
 * <ul>
 *   <li>{@code http://…} or {@code https://…}: healthy when a GET answers 2xx;
 *   <li>{@code tcp://host:port}: healthy when a connection opens;
 *   <li>no argument: {@code HEALTHCHECK_URL} when set, else the Spring Boot service in this container, at
 *       {@code /actuator/health/readiness} on its management port, or its server port when the
 *       management port is not set apart — read from the same environment variables that configure
 *       the service ({@code MANAGEMENT_SERVER_PORT}, {@code SERVER_PORT}, their {@code _ADDRESS}).
 * </ul>
 */
public final class HealthCheck {

  static final Duration TIMEOUT = Duration.ofSeconds(3);

  private HealthCheck() {}

  public static void main(String[] args) {
    URI target = args.length > 0 ? URI.create(args[0]) : targetOf(System.getenv());
    String verdict = check(target);
    System.out.println(target + " " + verdict);
    System.exit(verdict.startsWith("ok") ? 0 : 1);
  }

  /** {@code HEALTHCHECK_URL}, or the readiness endpoint of the service this environment configures. */
  static URI targetOf(Map<String, String> env) {
    return present(env.get("HEALTHCHECK_URL")) ? URI.create(env.get("HEALTHCHECK_URL").trim()) : readinessOf(env);
  }

  /** The readiness endpoint of the service that this environment configures. */
  static URI readinessOf(Map<String, String> env) {
    boolean apart = present(env.get("MANAGEMENT_SERVER_PORT"));
    String port = apart ? env.get("MANAGEMENT_SERVER_PORT") : env.getOrDefault("SERVER_PORT", "8080");
    String address = apart ? env.get("MANAGEMENT_SERVER_ADDRESS") : env.get("SERVER_ADDRESS");
    // A service bound to every interface is reachable on loopback.
    String host = !present(address) || address.equals("0.0.0.0") || address.equals("::") ? "127.0.0.1" : address;
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + Integer.parseInt(port.trim()) + "/actuator/health/readiness");
  }

  /** "ok …" when healthy, else what went wrong. */
  static String check(URI target) {
    try {
      return switch (target.getScheme()) {
        case "http", "https" -> http(target);
        case "tcp" -> tcp(target);
        default -> "unsupported scheme " + target.getScheme();
      };
    } catch (IOException e) {
      return "unreachable: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static String http(URI target) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    int status = client.send(HttpRequest.newBuilder(target).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
    return (status / 100 == 2 ? "ok " : "unhealthy: HTTP ") + status;
  }

  private static String tcp(URI target) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(target.getHost(), target.getPort()), (int) TIMEOUT.toMillis());
      return "ok connected";
    }
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }
}
