package io.comfygate.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.FakeComfyUiExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Starts EmbeddedService against the simulated ComfyUI and talks to it over real HTTP. */
class EmbeddedServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  final FakeComfyUiExtension comfy = new FakeComfyUiExtension(FakeComfyUi.builder().steps(5).stepDelay(Duration.ofMillis(20)));

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private EmbeddedService service;

  @AfterEach
  void close() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void runsAJobOverHttpReportsHealthAndShutsDownCleanly(FakeComfyUi fake) throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    service = EmbeddedService.start(fake.baseUrl(), dir, 0);
    int port = service.port();

    assertThat(call("GET", "/health", null).statusCode()).isEqualTo(200);

    HttpResponse<String> accepted = call("POST", "/generate", "{\"prompt\": \"a lighthouse at dawn\", \"steps\": 5}");
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String id = json(accepted).get("id").asText();
    assertThat(accepted.headers().firstValue("Location")).hasValue("/jobs/" + id);

    JsonNode done = poll(() -> json(call("GET", "/jobs/" + id, null)), job -> job.path("events").toString().contains("job_complete"));
    assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("succeeded");
    assertThat(done.get("events")).extracting(JsonNode::asText).containsExactly("enqueue", "job_start", "job_complete");
    assertThat(done.at("/images/0/width").asInt()).isEqualTo(512);
    assertThat(dir.resolve("outputs").resolve(done.at("/images/0/file").asText())).isRegularFile();
    assertThat(service.eventCounts()).containsEntry("enqueue", 1L).containsEntry("job_complete", 1L).containsKey("job_progress");

    fake.stop();
    HttpResponse<String> down = poll(() -> call("GET", "/health", null), r -> r.statusCode() == 503);
    assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
    assertThat(down.body()).contains("\"status\":\"FAIL\"").contains("is not reachable");

    service.close();
    service.close(); // idempotent

    List<Thread> left = poll(() -> ourThreadsStartedSince(before), List::isEmpty);
    assertThat(left).as("threads left running").isEmpty();
    try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
      assertThat(again.getLocalPort()).as("port released").isEqualTo(port);
    }
    service = null;
  }

  @Test
  void badRequestsGetAClearErrorAndChangeNothing(FakeComfyUi fake) throws Exception {
    service = EmbeddedService.start(fake.baseUrl(), dir, 0);

    HttpResponse<String> notJson = call("POST", "/generate", "{prompt: a cat");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(json(notJson).get("error").asText()).isEqualTo("invalid_json");

    HttpResponse<String> noPrompt = call("POST", "/generate", "{\"steps\": 8}");
    assertThat(noPrompt.statusCode()).isEqualTo(400);
    assertThat(json(noPrompt).get("message").asText()).contains("prompt");

    assertThat(call("GET", "/generate", null).statusCode()).isEqualTo(405);
    assertThat(call("GET", "/jobs/j-nonsense", null).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/health/extra", null).statusCode()).isEqualTo(404);
    assertThat(service.eventCounts()).isEmpty();
    assertThat(fake.requests()).noneMatch(r -> r.path().equals("/prompt"));
  }

  @Test
  void aClosedServiceRefusesConnections(FakeComfyUi fake) throws Exception {
    service = EmbeddedService.start(fake.baseUrl(), dir, 0);
    service.close();

    assertThatThrownBy(() -> call("GET", "/health", null)).hasCauseInstanceOf(ConnectException.class);
  }

  /** Threads alive now that were not before: ours by name (comfygate-*), or any that would keep the JVM up. */
  private static List<Thread> ourThreadsStartedSince(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        .filter(t -> t.getName().startsWith("comfygate-") || !t.isDaemon())
        .toList();
  }

  private HttpResponse<String> call(String method, String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path)).timeout(Duration.ofSeconds(10));
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(response.body(), e);
    }
  }

  /** Asks until the answer passes {@code done} or 15 s have gone by; returns the last answer. */
  private static <T> T poll(Supplier<T> ask, Predicate<T> done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    T answer = ask.get();
    while (!done.test(answer) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      answer = ask.get();
    }
    return answer;
  }
}
