package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The deployed WAR as the integration tests call it: HTTP on loopback (whatever address the
 * container reports). A caller is {@code null} (anonymous), a realm user ({@code alice}, password
 * {@code alice-pw}) or {@code key:SECRET} (an API key).
 */
final class ItHttp {
  static final ObjectMapper JSON = new ObjectMapper();

  private final URI root;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ItHttp(URL base) {
    this.root = URI.create("http://127.0.0.1:" + base.getPort() + base.getPath());
  }

  /** The WAR where classes that deploy it themselves (unmanaged deployments) find it. */
  static ItHttp deployed() {
    try {
      return new ItHttp(URI.create("http://127.0.0.1:" + Integer.getInteger("it.http.port") + "/comfygate/").toURL());
    } catch (java.net.MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The WAR the build packaged, for {@code @Deployment}. */
  static WebArchive packagedWar() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("war.file")));
  }

  /** A setting of the WAR under test, as written in the build's filtered it.env. */
  static String itSetting(String key) {
    try {
      return Files.readAllLines(Path.of(System.getProperty("it.env.file"))).stream()
          .filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
          .findFirst().orElseThrow(() -> new AssertionError(key + " is not in it.env"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Authorization header of a realm user. */
  static String basic(String user) {
    return basicOf(user + ":" + user + "-pw");
  }

  static String basicOf(String credentials) {
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  /** The client behind this (for WebSockets). */
  HttpClient client() {
    return http;
  }

  /** {@code path} (relative, e.g. {@code api/v1/live}) under the WAR, with {@code scheme} ({@code ws}). */
  URI uri(String scheme, String path) {
    return URI.create(scheme + "://" + root.getAuthority() + root.getPath()).resolve(path);
  }

  /** The context path, e.g. {@code /comfygate/}. */
  String contextPath() {
    return root.getPath();
  }

  HttpResponse<String> send(String method, String path, String caller, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(root.resolve(path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return exchange(request, method, path, caller, headers);
  }

  /** POSTs a raw body of the given content type (uploads), as {@link #send} does JSON. */
  HttpResponse<String> post(String path, String caller, HttpRequest.BodyPublisher body, String contentType, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(root.resolve(path)).timeout(Duration.ofSeconds(20))
        .POST(body).header("Content-Type", contentType);
    return exchange(request, "POST", path, caller, headers);
  }

  /** GETs {@code path} as {@code caller}, keeping the body as bytes (files). */
  HttpResponse<byte[]> getBytes(String path, String caller) {
    return exchange(HttpRequest.newBuilder(root.resolve(path)).timeout(Duration.ofSeconds(10)).GET(), "GET", path, caller,
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /**
   * Sends {@code request} as {@code caller} (a realm user, {@code key:…} for an API key, or
   * {@code null}); {@code method} and {@code path} only name it in a failure.
   */
  HttpResponse<String> exchange(HttpRequest.Builder request, String method, String path, String caller, String... headers) {
    return exchange(request, method, path, caller, HttpResponse.BodyHandlers.ofString(), headers);
  }

  private <T> HttpResponse<T> exchange(HttpRequest.Builder request, String method, String path, String caller,
      HttpResponse.BodyHandler<T> body, String... headers) {
    if (caller != null && caller.startsWith("key:")) {
      request.header("Authorization", "Bearer " + caller.substring(4));
    } else if (caller != null) {
      request.header("Authorization", basic(caller));
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return http.send(request.build(), body);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The {@code JSESSIONID=…} pair of a sign-in's Set-Cookie, ready for a Cookie header. */
  static String sessionCookie(HttpResponse<?> signIn) {
    return signIn.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
        .map(c -> c.indexOf(';') > 0 ? c.substring(0, c.indexOf(';')) : c).findFirst()
        .orElseThrow(() -> new AssertionError("no session cookie: " + signIn.headers()));
  }

  /** The body as JSON after checking the status. */
  static JsonNode json(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.body()).doesNotContainIgnoringCase("<html");
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + response.body(), e);
    }
  }

  /** Template {@code name} as {@code GET /api/v1/templates} shows it to {@code caller}. */
  JsonNode template(String name, String caller) {
    for (JsonNode t : json(send("GET", "api/v1/templates", caller, null), 200)) {
      if (t.path("name").asText().equals(name)) {
        return t;
      }
    }
    throw new AssertionError("no template " + name);
  }

  /** The path under the context of a link the API gave (e.g. a Location or an image url). */
  String relative(String link) {
    String path = URI.create(link).getPath();
    return path.substring(contextPath().length());
  }

  /** Polls GET {@code path} as {@code caller} every 100 ms until {@code done}, for at most {@code limit}. */
  HttpResponse<String> await(String path, String caller, Duration limit, Predicate<HttpResponse<String>> done) {
    long deadline = System.nanoTime() + limit.toNanos();
    HttpResponse<String> last = send("GET", path, caller, null);
    while (!done.test(last)) {
      assertThat(System.nanoTime()).as("%s never as expected: %s %s", path, last.statusCode(), last.body()).isLessThan(deadline);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      last = send("GET", path, caller, null);
    }
    return last;
  }

  /** Waits for the job at {@code path} to be in {@code state}; returns it. */
  JsonNode awaitState(String path, String caller, String state, Duration limit) {
    return json(await(path, caller, limit, r -> r.body().contains("\"state\":\"" + state + "\"")), 200);
  }

  /** The engine may have started before this class's fake; it notices within a health refresh. */
  HttpResponse<String> awaitHealthy() {
    return await("healthz", null, Duration.ofSeconds(20), r -> r.statusCode() == 200);
  }
}
