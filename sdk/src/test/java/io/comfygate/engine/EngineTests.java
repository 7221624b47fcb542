package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.testkit.Await;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.RecordedRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Helpers shared by the engine's integration tests: job parameters, bounded waits, sent prompts. */
final class EngineTests {
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private EngineTests() {}

  /**
   * An engine builder for tests: a SQLite file and output folder under {@code dir}, quick backend
   * probes and history polls, a 2 s read timeout.
   */
  static JobEngine.Builder builder(List<URI> servers, Path dir) {
    return JobEngine.builder()
        .servers(servers)
        .database(dir.resolve("db/app.db").toString())
        .outputDir(dir.resolve("outputs"))
        .probeInterval(Duration.ofMillis(200))
        .clientCustomizer(c -> c.historyPollInterval(Duration.ofMillis(100)).readTimeout(Duration.ofSeconds(2)));
  }

  static JsonNode params(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A fast txt2img job: 64×64, 4 steps. */
  static JsonNode small(String prompt) {
    return params("{\"prompt\": \"" + prompt + "\", \"width\": 64, \"height\": 64, \"steps\": 4}");
  }

  /** Polls {@code condition} for up to {@link #WAIT}; fails naming {@code what}. */
  static void waitUntil(String what, BooleanSupplier condition) {
    waitUntil(what, WAIT, condition);
  }

  static void waitUntil(String what, Duration limit, BooleanSupplier condition) {
    Await.until(what, limit, condition);
  }

  /** Waits for the job to reach {@code state}, and returns it then. */
  static Job awaitState(JobEngine engine, JobId id, JobState state) {
    waitUntil(id + " " + state.wireName() + " (is " + engine.find(id).map(Job::state).orElse(null) + ")",
        () -> engine.find(id).map(j -> j.state() == state).orElse(false));
    return engine.find(id).orElseThrow();
  }

  /** Waits for the job to reach any terminal state, and returns it then. */
  static Job awaitEnd(JobEngine engine, JobId id) {
    waitUntil(id + " to end (is " + engine.find(id).map(Job::state).orElse(null) + ")",
        () -> engine.find(id).map(j -> j.state().isTerminal()).orElse(false));
    return engine.find(id).orElseThrow();
  }

  /** How many of {@code requests} POST the prompt with this id to ComfyUI. */
  static long promptPosts(List<RecordedRequest> requests, String promptId) {
    return requests.stream()
        .filter(r -> r.method().equals("POST") && r.path().endsWith("/prompt") && r.body().contains(promptId))
        .count();
  }

  static long promptPosts(FakeComfyUi fake, String promptId) {
    return promptPosts(fake.requests(), promptId);
  }
}
