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

  /** POSTs a multipart form; {@code file} goes into the part named {@code image}. */
  HttpResponse<String> upload(String filename, byte[] file, java.util.Map<String, String> fields) throws Exception {
    String boundary = "----fakeboundary" + System.nanoTime();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (java.util.Map.Entry<String, String> f : fields.entrySet()) {
      out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
          + f.getValue() + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    if (file != null) {
      out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + filename
          + "\"\r\nContent-Type: image/png\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.writeBytes(file);
      out.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return client.send(HttpRequest.newBuilder(uri("/upload/image")).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
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
