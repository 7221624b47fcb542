package io.comfygate.testkit.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FakeOpenAiTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private HttpResponse<String> post(URI uri, String auth, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersInTheChatCompletionShapeAndRecordsTheRequest() throws Exception {
    try (FakeOpenAi fake = FakeOpenAi.start("k")) {
      HttpResponse<String> r = post(URI.create(fake.baseUrl() + "/v1/chat/completions"), "Bearer k",
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"object\":\"chat.completion\"", "\"model\":\"m\"",
          "\"content\":\"fake reply to: hi\"", "\"finish_reason\":\"stop\"");
      assertThat(fake.requests()).singleElement().satisfies(req -> assertThat(req.authorization()).isEqualTo("Bearer k"));
    }
  }

  @Test
  void refusesAMissingKeyLikeOpenAi() throws Exception {
    try (FakeOpenAi fake = FakeOpenAi.start("k")) {
      HttpResponse<String> r = post(URI.create(fake.baseUrl() + "/v1/chat/completions"), null, "{}");

      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).contains("\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\"");
    }
  }

  @Test
  void rejectsARequestWithoutMessages() throws Exception {
    try (FakeOpenAi fake = FakeOpenAi.start()) {
      HttpResponse<String> r = post(URI.create(fake.baseUrl() + "/v1/chat/completions"), null, "{\"model\":\"m\"}");
      assertThat(r.statusCode()).isEqualTo(400);
      fake.stop();
      fake.stop(); // idempotent
    }
  }

  @Test
  void answersARateLimitLikeOpenAiWithRetryAfter() throws Exception {
    try (FakeOpenAi fake = FakeOpenAi.start()) {
      fake.failWith(429);
      HttpResponse<String> r = post(URI.create(fake.baseUrl() + "/v1/chat/completions"), null,
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(r.headers().firstValue("Retry-After")).hasValue("20");
      assertThat(r.body()).contains("\"type\":\"requests\"", "\"code\":\"rate_limit_exceeded\"");
      fake.failWith(0);
      assertThat(post(URI.create(fake.baseUrl() + "/v1/chat/completions"), null,
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void answersSlowlyWhenToldTo() throws Exception {
    try (FakeOpenAi fake = FakeOpenAi.start()) {
      fake.delay(Duration.ofMillis(600));
      long start = System.nanoTime();
      HttpResponse<String> r = post(URI.create(fake.baseUrl() + "/v1/chat/completions"), null,
          "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
    }
  }
}
