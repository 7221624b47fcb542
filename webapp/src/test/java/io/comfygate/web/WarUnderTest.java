package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The deployed WAR as the integration tests call it: over loopback (whatever address the
 * container reports), as one of the realm's users (password {@code <user>-pw}) or anonymously.
 */
final class WarUnderTest {
  final URL base;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  WarUnderTest(URL base) {
    this.base = base;
  }

  /** The WAR the build packaged, for {@code @Deployment}. */
  static WebArchive packagedWar() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("war.file")));
  }

  /** {@code path} (relative, e.g. {@code api/v1/jobs}) under the WAR, with {@code scheme}. */
  URI uri(String scheme, String path) {
    return URI.create(scheme + "://127.0.0.1:" + base.getPort() + base.getPath()).resolve(path);
  }

  /** A request as {@code user} (Basic) or anonymous ({@code null}); {@code body} is JSON or null. */
  HttpResponse<String> send(String method, String path, String user, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri("http", path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (user != null) {
      request.header("Authorization", basic(user));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The engine may have started before the fake; it notices the fake within a health refresh. */
  HttpResponse<String> awaitHealthy() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    HttpResponse<String> health = send("GET", "healthz", null, null);
    while (health.statusCode() != 200 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      health = send("GET", "healthz", null, null);
    }
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    return health;
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

  static String basic(String user) {
    return basicOf(user + ":" + user + "-pw");
  }

  static String basicOf(String credentials) {
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }
}
