package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scenarios against the WAR in a real Tomcat (settings from it.env: 2 waiting and 1
 * running per user, JOB_TIMEOUT_SECONDS=4): the limit, cancel, timeout, ComfyUI going away and
 * coming back, and an image's way through the trash. Each test is a user of its own (an API key
 * issued by root), so no test meets another's limit; the fake's faults are cleared after each.
 */
class ScenarioIT extends DeployedWar {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(2);

  @BeforeEach
  void healthy() {
    http.awaitHealthy();
  }

  @AfterEach
  void clearFaults() {
    comfy.get().clearFaults();
  }

  /** A user of this test's own: an API key issued by root. */
  private String keyFor(String user) {
    return "key:" + json(http.send("POST", "api/v1/admin/api-keys", "root",
        "{\"user_id\": \"" + user + "\", \"name\": \"scenario\"}"), 201).path("key").asText();
  }

  private static String job(String prompt) {
    return "{\"params\": {\"prompt\": \"" + prompt + "\", \"width\": 64, \"height\": 64, \"steps\": 2}}";
  }

  private String submitted(String caller, String prompt) {
    HttpResponse<String> response = http.send("POST", "api/v1/jobs", caller, job(prompt));
    json(response, 202);
    return http.relative(response.headers().firstValue("Location").orElseThrow());
  }

  @Test
  void theLimitPlusOneIs429WithRetryAfterAndQueuedAndRunningJobsCancel() {
    String quota = keyFor("scenario-quota");
    comfy.get().slowNodes(Duration.ofSeconds(1));
    String running = submitted(quota, "runs");
    http.awaitState(running, quota, "running", WAIT);
    String second = submitted(quota, "waits");
    String third = submitted(quota, "waits too");

    HttpResponse<String> refused = http.send("POST", "api/v1/jobs", quota, job("one too many"));
    JsonNode body = json(refused, 429);
    assertThat(body.path("error").asText()).isEqualTo("quota_exceeded");
    assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(s -> assertThat(Long.parseLong(s)).isPositive());

    assertThat(json(http.send("POST", third + "/cancel", quota, null), 200).path("state").asText()).isEqualTo("cancelled");
    json(http.send("POST", running + "/cancel", quota, null), 200);
    http.awaitState(running, quota, "cancelled", WAIT);
    json(http.send("POST", second + "/cancel", quota, null), 200);
    http.awaitState(second, quota, "cancelled", WAIT);
    assertThat(comfy.get().queueRunningCount()).as("nothing left running on ComfyUI").isZero();
  }

  @Test
  void aJobLongerThanTheTimeoutEndsTimedOut() {
    String slow = keyFor("scenario-timeout");
    // Longer nodes than the 4 s timeout: the interrupt lands before the prompt could finish.
    comfy.get().slowNodes(Duration.ofSeconds(5));
    String path = submitted(slow, "too slow");
    JsonNode ended = http.awaitState(path, slow, "timeout", Duration.ofSeconds(20));
    assertThat(ended.path("error").asText()).isNotBlank();
    assertThat(ended.path("finished_at").asText()).isNotBlank();
  }

  @Test
  void comfyUiDownFailsThePrecheckSubmitHealthzAndTheRunningJobThenRecovers() {
    String user = keyFor("scenario-down");
    comfy.get().slowNodes(Duration.ofSeconds(1));
    String path = submitted(user, "interrupted by an outage");
    http.awaitState(path, user, "running", WAIT);

    comfy.get().stop();
    try {
      whileDown(path, user);
    } finally {
      comfy.get().clearFaults();
      comfy.get().restart();
    }
    http.awaitHealthy();
    assertThat(json(http.send("GET", "api/v1/precheck", user, null), 200).path("status").asText()).isEqualTo("OK");
    http.awaitState(submitted(user, "back again"), user, "succeeded", WAIT);
  }

  private void whileDown(String path, String user) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    JsonNode precheck;
    do {
      long start = System.nanoTime();
      precheck = json(http.send("GET", "api/v1/precheck", user, null), 200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the pre-check answers within 1.5 s").isLessThan(Duration.ofMillis(1500));
      assertThat(System.nanoTime()).as("the pre-check never said FAIL").isLessThan(deadline);
    } while (!precheck.path("status").asText().equals("FAIL"));

    // The dispatcher marks the backend down on its own probe, a moment after the pre-check may say FAIL.
    HttpResponse<String> refused = http.await("api/v1/jobs", user, Duration.ofSeconds(10),
        r -> http.send("POST", "api/v1/jobs", user, job("no backend")).statusCode() == 503);
    assertThat(http.send("POST", "api/v1/jobs", user, job("no backend")).body()).contains("\"error\":\"unavailable\"");
    json(refused, 200);
    HttpResponse<String> health = http.send("GET", "healthz", "root", null);
    JsonNode healthz = json(health, 503);
    JsonNode comfyCheck = Stream.of(healthz.path("checks")).flatMap(c -> java.util.stream.StreamSupport.stream(c.spliterator(), false))
        .filter(c -> c.path("name").asText().equals("comfyui:127.0.0.1:" + comfy.get().port())).findFirst().orElseThrow(() -> new AssertionError(health.body()));
    assertThat(comfyCheck.path("status").asText()).isEqualTo("DOWN");
    assertThat(comfyCheck.path("reason").asText()).isNotBlank();
    // Anyone else learns which check fails, not why nor where.
    JsonNode anonymous = json(http.send("GET", "healthz", null, null), 503);
    assertThat(anonymous.path("summary").asText()).isEqualTo("FAIL: comfyui#1");
    assertThat(anonymous.toString()).doesNotContain("127.0.0.1", "reason");
    // The job that was running fails at the next health round (HEALTH_CHECK_INTERVAL_SECONDS=1 in
    // it.env), well before its 4 s timeout, naming ComfyUI.
    JsonNode ended = json(http.await(path, user, WAIT, r -> r.body().matches(".*\"state\":\"(failed|timeout)\".*")), 200);
    assertThat(ended.path("state").asText()).isEqualTo("failed");
    assertThat(ended.path("error").asText()).as("the reason").contains("ComfyUI at 127.0.0.1:" + comfy.get().port()).contains("went down");
  }

  @Test
  void anImageGoesToTheTrashComesBackAndIsPurgedFileAndRow() throws IOException {
    String user = keyFor("scenario-trash");
    JsonNode done = http.awaitState(submitted(user, "a keepsake"), user, "succeeded", WAIT);
    String image = done.path("images").get(0).path("id").asText();
    String file = http.relative(done.path("images").get(0).path("url").asText());
    HttpResponse<String> png = http.send("GET", file, user, null);
    assertThat(png.statusCode()).isEqualTo(200);
    assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");

    assertThat(json(http.send("POST", "api/v1/images/" + image + "/delete", user, null), 200).path("deleted").asBoolean()).isTrue();
    assertThat(json(http.send("GET", "api/v1/images?include=deleted", user, null), 200).path("total").asLong()).isEqualTo(1);
    assertThat(json(http.send("GET", "api/v1/images", user, null), 200).path("total").asLong()).isZero();
    assertThat(json(http.send("POST", "api/v1/images/" + image + "/restore", user, null), 200).path("deleted").asBoolean()).isFalse();
    assertThat(json(http.send("GET", "api/v1/images", user, null), 200).path("total").asLong()).isEqualTo(1);

    json(http.send("POST", "api/v1/images/" + image + "/delete", user, null), 200);
    long filesBefore = outputFiles();
    JsonNode purge = json(http.send("POST", "api/v1/admin/purge-trash", "root", null), 200);
    assertThat(purge.path("purged").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(purge.path("bytes_freed").asLong()).isPositive();
    assertThat(outputFiles()).as("files on disk").isEqualTo(filesBefore - purge.path("purged").asInt());
    json(http.send("GET", "api/v1/images/" + image, "root", null), 404);
    json(http.send("GET", file, user, null), 404);
    assertThat(json(http.send("GET", "api/v1/admin/images?include=all&user_id=scenario-trash", "root", null), 200)
        .path("total").asLong()).as("the row is gone").isZero();
  }

  /** How many files the WAR's OUTPUT_DIR (from it.env) holds. */
  private static long outputFiles() throws IOException {
    Path dir = Files.readAllLines(Path.of(System.getProperty("it.env.file"))).stream()
        .filter(l -> l.startsWith("OUTPUT_DIR=")).map(l -> Path.of(l.substring("OUTPUT_DIR=".length())))
        .findFirst().orElseThrow();
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).count();
    }
  }
}
