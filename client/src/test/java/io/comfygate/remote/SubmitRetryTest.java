package io.comfygate.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.comfygate.remote.errors.QuotaExceededException;
import io.comfygate.remote.errors.UnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How {@code submit} rides out 503 and 429 against a real HTTP server that answers from a script:
 * it waits what Retry-After says, within the caller's policy, and every attempt carries the same
 * Idempotency-Key. (The deployed WAR's own 429 is in the webapp's RemoteClientIT.)
 */
class SubmitRetryTest {
  private static final String JOB = "{\"id\":\"job-1\",\"state\":\"queued\",\"template\":\"txt2img\"}";

  private HttpServer server;
  private final Deque<Answer> script = new ArrayDeque<>();
  private final List<String> keys = new CopyOnWriteArrayList<>();
  private final List<Long> arrivals = new CopyOnWriteArrayList<>();

  private record Answer(int status, String retryAfter, String body) {}

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v1/jobs", exchange -> {
      arrivals.add(System.nanoTime());
      keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
      exchange.getRequestBody().readAllBytes();
      Answer answer;
      synchronized (script) {
        answer = script.isEmpty() ? new Answer(201, null, JOB) : script.poll();
      }
      if (answer.retryAfter() != null) {
        exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(answer.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void a503WithRetryAfterIsWaitedOutAndTheRetryCarriesTheSameKey() {
    script.add(new Answer(503, "1", "{\"error\":\"no_backend\",\"message\":\"no healthy ComfyUI\"}"));
    try (ComfyGateClient client = client(RetryPolicy.defaults())) {
      Submission submitted = client.submit(JobRequest.builder().param("prompt", "a").idempotencyKey("key-503").build());

      assertThat(submitted.job().id()).isEqualTo("job-1");
      assertThat(keys).containsExactly("key-503", "key-503");
      assertThat(Duration.ofNanos(arrivals.get(1) - arrivals.get(0))).as("waited for Retry-After")
          .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }
  }

  @Test
  void a429IsRetriedAfterItsRetryAfterWhenThePolicyWaitsThatLong() {
    script.add(new Answer(429, "1", "{\"error\":\"quota_exceeded\",\"message\":\"too many\",\"limit\":2}"));
    try (ComfyGateClient client = client(RetryPolicy.defaults().withMaxRetryAfter(Duration.ofSeconds(2)))) {
      Submission submitted = client.submit(JobRequest.prompt("b"));

      assertThat(submitted.job().id()).isEqualTo("job-1");
      assertThat(keys).hasSize(2).containsOnly(submitted.idempotencyKey());
      assertThat(Duration.ofNanos(arrivals.get(1) - arrivals.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }
  }

  @Test
  void a429AskingForLongerThanThePolicyAllowsIsThrownAtOnce() {
    script.add(new Answer(429, "60", "{\"error\":\"quota_exceeded\",\"message\":\"too many\",\"limit\":2}"));
    try (ComfyGateClient client = client(RetryPolicy.defaults())) { // waits for at most 30 s
      assertThatThrownBy(() -> client.submit(JobRequest.prompt("c"))).isInstanceOfSatisfying(
          QuotaExceededException.class, e -> {
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(60));
            assertThat(e.limit()).isEqualTo(2);
          });
      assertThat(keys).hasSize(1);
    }
  }

  @Test
  void theCallersPolicyForOneCallReplacesTheClientsOne() {
    script.add(new Answer(429, "1", "{\"error\":\"quota_exceeded\",\"message\":\"too many\",\"limit\":2}"));
    try (ComfyGateClient client = client(RetryPolicy.defaults())) {
      assertThatThrownBy(() -> client.submit(JobRequest.prompt("d"), RetryPolicy.none()))
          .isInstanceOf(QuotaExceededException.class);
      assertThat(keys).hasSize(1);
    }
  }

  @Test
  void a503ThatLastsIsUnavailableOnceTheAttemptsAreUsedUp() {
    for (int i = 0; i < 5; i++) {
      script.add(new Answer(503, null, "{\"error\":\"no_backend\",\"message\":\"no healthy ComfyUI\"}"));
    }
    RetryPolicy three = RetryPolicy.defaults().withMaxAttempts(3).withBackoff(Duration.ofMillis(10), Duration.ofMillis(20));
    try (ComfyGateClient client = client(three)) {
      assertThatThrownBy(() -> client.submit(JobRequest.prompt("e"))).isInstanceOf(UnavailableException.class)
          .hasMessageContaining("no healthy ComfyUI");
      assertThat(keys).hasSize(3).containsOnly(keys.get(0));
    }
  }

  private ComfyGateClient client(RetryPolicy policy) {
    return ComfyGateClient.builder().baseUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/")
        .apiKey("k").retryPolicy(policy).build();
  }
}
