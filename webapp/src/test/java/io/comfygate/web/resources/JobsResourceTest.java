package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.jobs.JobState;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** /v1/jobs in memory: submit, list, get, cancel, and every way a request can be refused. */
class JobsResourceTest extends ResourceTestBase {

  @Test
  void aSubmittedJobIs202WithItsLocationAndRunsToSuccess() {
    Response submitted = submit("jane;user", small("a lighthouse"));
    String location = submitted.getHeaderString("Location");
    JsonNode job = json(submitted, 202);
    assertThat(job.path("state").asText()).isIn("queued", "running");
    assertThat(location).endsWith("/v1/jobs/" + job.path("id").asText());

    engine.await(idOf(job), WAIT);
    JsonNode done = json(get("jane;user", "v1/jobs/" + job.path("id").asText()), 200);
    assertThat(done.path("state").asText()).isEqualTo("succeeded");
    assertThat(done.path("images")).hasSize(1);
    assertThat(done.path("images").get(0).path("url").asText()).endsWith("/file");
  }

  @Test
  void theListIsTheCallersOwnPagedWithTotals() {
    for (int i = 0; i < 3; i++) {
      JsonNode job = json(submit("kim;user", small("kim " + i)), 202);
      engine.await(idOf(job), WAIT);
    }
    JsonNode page = json(get("kim;user", "v1/jobs"), 200);
    assertThat(page.path("page").asInt()).isEqualTo(1);
    assertThat(page.path("size").asInt()).isEqualTo(Params.DEFAULT_PAGE_SIZE);
    assertThat(page.path("total").asLong()).isEqualTo(3);
    assertThat(page.path("items")).hasSize(3);

    JsonNode second = json(get("kim;user", "v1/jobs?page=2&size=2"), 200);
    assertThat(second.path("items")).hasSize(1);
    assertThat(second.path("total_pages").asLong()).isEqualTo(2);
    assertThat(json(get("kim;user", "v1/jobs?size=100"), 200).path("size").asInt()).isEqualTo(100);
    assertThat(json(get("lee;user", "v1/jobs"), 200).path("total").asLong()).as("another user's list").isZero();
  }

  @Test
  void badPagingIsA400NamingTheParameter() {
    assertPagingChecked(ALICE, "v1/jobs");
  }

  @Test
  void unknownMalformedAndOthersJobIdsAre404() {
    JsonNode job = json(submit("max;user", small("mine")), 202);
    String id = job.path("id").asText();
    error(get("ned;user", "v1/jobs/" + id), 404, "not_found");
    error(post("ned;user", "v1/jobs/" + id + "/cancel", null), 404, "not_found");
    assertThat(json(get(ADMIN, "v1/jobs/" + id), 200).path("id").asText()).as("an admin sees it").isEqualTo(id);
    engine.await(idOf(job), WAIT);

    String unknown = id.substring(0, id.length() - 4) + (id.endsWith("0000") ? "1111" : "0000");
    error(get("max;user", "v1/jobs/" + unknown), 404, "not_found");
    error(get("max;user", "v1/jobs/not-a-job-id"), 404, "not_found");
    error(post("max;user", "v1/jobs/%2E%2E/cancel", null), 404, "not_found");
    error(get("max;user", "v1/jobs/" + id + "/preview"), 404, "not_found");
  }

  @Test
  void badBodiesAreJson400WithTheReason() {
    JsonNode invalid = error(submit(ALICE, "{\"width\": 7}"), 400, "invalid_params");
    assertThat(invalid.path("problems").findValuesAsText("field")).contains("prompt", "width");

    JsonNode unknownField = error(post(ALICE, "v1/jobs", "{\"params\": {}, \"colour\": \"red\"}"), 400, "bad_request");
    assertThat(unknownField.path("message").asText()).contains("\"colour\"");
    JsonNode malformed = error(post(ALICE, "v1/jobs", "{\"params\": "), 400, "bad_request");
    assertThat(malformed.path("message").asText()).contains("not valid JSON");
    badParameter(post(ALICE, "v1/jobs", null), "body");
    assertThat(json(post(ALICE, "v1/jobs", ""), 400).toString()).doesNotContain("<html");
  }

  @Test
  void wrongMethodMediaTypeAndPathAreJsonErrors() {
    error(as(ALICE, "v1/jobs").put(Entity.json("{}")), 405, "method_not_allowed");
    error(as(ALICE, "v1/jobs").post(Entity.text("a cat")), 415, "unsupported_media_type");
    error(as(ALICE, "v1/jobs").delete(), 405, "method_not_allowed");
    error(get(ALICE, "v1/nothing-here"), 404, "not_found");
    error(get(ALICE, "v2/jobs"), 404, "not_found");
  }

  @Test
  void theRoleCheckAnswers401And403AsJson() {
    Response anonymous = get(null, "v1/jobs");
    assertThat(anonymous.getHeaderString("WWW-Authenticate")).startsWith("Bearer");
    error(anonymous, 401, "unauthorized");
    error(get("nobody;", "v1/jobs"), 403, "forbidden");
    error(get(ALICE, "v1/admin/queue"), 403, "forbidden");
    error(submit(null, small("anon")), 401, "unauthorized");
  }

  @Test
  void overTheLimitIs429WithRetryAfterAndCancelEndsQueuedAndRunningJobs() {
    comfy.slowNodes(Duration.ofMillis(500));
    try {
      JsonNode running = json(submit("olga;user", small("one")), 202);
      waitUntil("the first job running", () -> engine.find(idOf(running)).orElseThrow().state() == JobState.RUNNING);
      JsonNode second = json(submit("olga;user", small("two")), 202);
      JsonNode third = json(submit("olga;user", small("three")), 202);

      Response refused = submit("olga;user", small("four"));
      String retryAfter = refused.getHeaderString("Retry-After");
      JsonNode quota = error(refused, 429, "quota_exceeded");
      assertThat(Long.parseLong(retryAfter)).isPositive();
      assertThat(quota.path("retry_after_seconds").asLong()).isEqualTo(Long.parseLong(retryAfter));
      assertThat(quota.path("limit").asInt()).isEqualTo(QUOTA.maxWaiting());
      assertThat(json(submit("pia;user", small("someone else")), 202).path("state").asText())
          .as("the limit is per user").isEqualTo("queued");

      JsonNode cancelled = json(post("olga;user", "v1/jobs/" + third.path("id").asText() + "/cancel", null), 200);
      assertThat(cancelled.path("state").asText()).isEqualTo("cancelled");
      json(post("olga;user", "v1/jobs/" + running.path("id").asText() + "/cancel", null), 200);
      assertThat(engine.await(idOf(running), WAIT).state()).isEqualTo(JobState.CANCELLED);
      json(post(ADMIN, "v1/admin/queue/" + second.path("id").asText() + "/cancel", null), 200);
      assertThat(engine.await(idOf(second), WAIT).state()).isEqualTo(JobState.CANCELLED);
    } finally {
      comfy.slowNodes(Duration.ZERO);
    }
  }

  @Test
  void withTheBackendDownSubmitIs503AndPrecheckFails() {
    comfy.stop();
    try {
      // The pre-check probes now; submits follow the dispatcher's backend state, refreshed in the background.
      waitUntil("the engine to notice", () -> !engine.precheck().ok() && !engine.backends().get(0).healthy());
      JsonNode down = error(submit("quinn;user", small("nothing to run it")), 503, "unavailable");
      assertThat(down.path("message").asText()).contains("ComfyUI");
      JsonNode precheck = json(get("quinn;user", "v1/precheck"), 200);
      assertThat(precheck.path("status").asText()).isEqualTo("FAIL");
      assertThat(json(get("quinn;user", "v1/jobs"), 200).path("total").asLong()).as("nothing stored").isZero();
    } finally {
      comfy.restart();
      // The pre-check and the dispatcher's backend state are refreshed separately; wait for both,
      // also when the test failed, so that the next one finds the backend up.
      waitUntil("the engine to see the backend again", () -> engine.precheck().ok() && engine.backends().get(0).healthy());
    }
    assertThat(json(get("quinn;user", "v1/precheck"), 200).path("status").asText()).isEqualTo("OK");
    engine.await(idOf(json(submit("quinn;user", small("back")), 202)), WAIT);
  }
}
