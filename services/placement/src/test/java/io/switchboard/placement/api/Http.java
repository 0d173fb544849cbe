package io.switchboard.placement.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny JSON-over-HTTP client for API tests. */
public final class Http {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  /** The Authorization header sent with every request; null: none. */
  private final String authorization;

  /** Presenting the tests' service token, as the other services do. */
  public Http(int port) {
    this(port, io.switchboard.testing.TestCredentials.SERVICE_AUTHORIZATION);
  }

  public Http(int port, String authorization) {
    this.base = "http://127.0.0.1:" + port;
    this.authorization = authorization;
  }

  /** A response with its body parsed as JSON (null when empty). */
  public record Response(int status, HttpResponse<String> raw, JsonNode json) {
    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  public Response get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public Response delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  public Response put(String path, String json) {
    return send(withBody(HttpRequest.newBuilder(URI.create(base + path)), "PUT", json, "application/json"));
  }

  public Response post(String path, String json) {
    return send(withBody(HttpRequest.newBuilder(URI.create(base + path)), "POST", json, "application/json"));
  }

  public Response send(String method, String path, String body, String contentType) {
    return send(withBody(HttpRequest.newBuilder(URI.create(base + path)), method, body, contentType));
  }

  private static HttpRequest.Builder withBody(HttpRequest.Builder b, String method, String body, String contentType) {
    if (body == null) {
      return b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
  }

  private Response send(HttpRequest.Builder request) {
    try {
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode json = r.body() == null || r.body().isBlank() ? null : parse(r.body());
      return new Response(r.statusCode(), r, json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      return null;
    }
  }
}
