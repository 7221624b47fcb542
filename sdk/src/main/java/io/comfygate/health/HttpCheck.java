package io.comfygate.health;

import io.comfygate.internal.http.BoundedHttp;
import io.comfygate.internal.http.OwnedHttpClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** GET a URL, UP on 200. Owns its HttpClient's threads, released by {@link #close()}. */
final class HttpCheck implements HealthCheck, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpCheck.class);

  private final String name;
  private final URI url;
  private final Duration requestTimeout;
  private final Duration timeout;
  private final OwnedHttpClient http;

  HttpCheck(String name, URI url, Duration requestTimeout, Duration slack) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("check name must not be blank");
    }
    String scheme = url.getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException("url of check " + name + " must be http(s): " + url);
    }
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("timeout of check " + name + " must be > 0: " + requestTimeout);
    }
    this.name = name;
    this.url = url;
    this.requestTimeout = requestTimeout;
    this.timeout = requestTimeout.plus(slack);
    this.http = OwnedHttpClient.anyVersion("health-http", requestTimeout);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Duration timeout() {
    return timeout;
  }

  @Override
  public CheckOutcome check() throws InterruptedException {
    HttpClient client = http.client().orElse(null);
    if (client == null) {
      return CheckOutcome.down("check " + name + " is closed");
    }
    HttpRequest request = HttpRequest.newBuilder(url).timeout(requestTimeout).GET().build();
    try {
      HttpResponse<String> response = BoundedHttp.send(client, request, requestTimeout, requestTimeout);
      if (response.statusCode() != 200) {
        return CheckOutcome.down(url + " answered HTTP " + response.statusCode());
      }
      return CheckOutcome.up(url + " answered HTTP 200");
    } catch (BoundedHttp.Failure e) {
      return CheckOutcome.down(url + " " + e.getMessage());
    }
  }

  @Override
  public void close() {
    http.close();
  }

  @Override
  public String toString() {
    return "HealthCheck{" + name + " GET " + url + "}";
  }
}
