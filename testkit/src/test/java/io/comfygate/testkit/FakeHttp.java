package io.comfygate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Tiny HTTP helpers for tests against a fake; every call has a timeout. */
final class FakeHttp {
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final FakeComfyUi fake;

  FakeHttp(FakeComfyUi fake) {
    this.fake = fake;
  }

  HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> getBytes(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode getJson(String path) throws Exception {
    return Json.parse(get(path).body());
  }

  /** POSTs a prompt body and returns the prompt_id of the 200 answer. */
  String submit(String body) throws Exception {
    HttpResponse<String> r = post("/prompt", body);
    if (r.statusCode() != 200) {
      throw new AssertionError("POST /prompt gave " + r.statusCode() + ": " + r.body());
    }
    return Json.parse(r.body()).get("prompt_id").asText();
  }

  URI uri(String path) {
    return URI.create(fake.baseUrl() + path);
  }
}
