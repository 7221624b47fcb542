package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What external systems use, against the WAR in a real Tomcat: idempotent submits (also across a
 * redeploy, which restarts the engine on the same database), the templates and the OpenAPI
 * document. Each test deploys the WAR itself, so one can redeploy it midway.
 */
class ExternalApiIT extends RedeployableWar {
  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(2);

  /** An API key for a user of this run's own (the database outlives runs, and so do keys). */
  private String keyFor(String user) {
    return "key:" + json(http.send("POST", "api/v1/admin/api-keys", "root",
        "{\"user_id\": \"" + user + "\", \"name\": \"external-api\"}"), 201).path("key").asText();
  }

  private static String job(String prompt) {
    return "{\"params\": {\"prompt\": \"" + prompt + "\", \"width\": 64, \"height\": 64, \"steps\": 2}}";
  }

  private HttpResponse<String> submit(String caller, String body, String idempotencyKey) {
    return http.send("POST", "api/v1/jobs", caller, body, "Idempotency-Key", idempotencyKey);
  }

  @Test
  void aRetriedSubmitYieldsOneJobAlsoAfterARedeploy() {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String key = "order-" + run;
    deployWar();
    String alice;
    String bob;
    String first;
    try {
      http.awaitHealthy();
      alice = keyFor("ext-alice-" + run);
      bob = keyFor("ext-bob-" + run);

      HttpResponse<String> created = submit(alice, job("a red fox"), key);
      first = json(created, 202).path("id").asText();
      assertThat(created.headers().firstValue("Idempotent-Replayed")).isEmpty();
      HttpResponse<String> retried = submit(alice, job("a red fox"), key);
      assertThat(json(retried, 202).path("id").asText()).isEqualTo(first);
      assertThat(retried.headers().firstValue("Idempotent-Replayed")).contains("true");
      assertThat(http.relative(retried.headers().firstValue("Location").orElseThrow())).isEqualTo("api/v1/jobs/" + first);

      JsonNode reused = json(submit(alice, job("a blue fox"), key), 422);
      assertThat(reused.path("error").asText()).isEqualTo("idempotency_key_reused");
      assertThat(reused.path("message").asText()).contains(key);
      JsonNode badKey = json(submit(alice, job("a red fox"), "k".repeat(256)), 400);
      assertThat(badKey.path("problems").get(0).path("field").asText()).isEqualTo("Idempotency-Key");

      String bobs = json(submit(bob, job("a red fox"), key), 202).path("id").asText();
      assertThat(bobs).as("the same key from another user is another job").isNotEqualTo(first);
      assertThat(json(http.send("GET", "api/v1/jobs", alice, null), 200).path("total").asLong()).isEqualTo(1);
      http.awaitState("api/v1/jobs/" + first, alice, "succeeded", java.time.Duration.ofSeconds(30));
    } finally {
      undeployWar();
    }

    deployWar();
    try {
      http.awaitHealthy();
      HttpResponse<String> afterRestart = submit(alice, job("a red fox"), key);
      JsonNode same = json(afterRestart, 202);
      assertThat(same.path("id").asText()).isEqualTo(first);
      assertThat(same.path("state").asText()).as("the first job as it is now").isEqualTo("succeeded");
      assertThat(afterRestart.headers().firstValue("Idempotent-Replayed")).contains("true");
      assertThat(json(http.send("GET", "api/v1/jobs", alice, null), 200).path("total").asLong()).isEqualTo(1);
    } finally {
      undeployWar();
    }
  }

  @Test
  void templatesAndTheOpenApiDocumentAreServed() {
    deployWar();
    try {
      JsonNode templates = json(http.send("GET", "api/v1/templates", "alice", null), 200);
      List<String> names = new ArrayList<>();
      templates.forEach(t -> names.add(t.path("name").asText()));
      assertThat(names).contains("txt2img");
      JsonNode txt2img = templates.get(names.indexOf("txt2img"));
      assertThat(txt2img.path("params").get(0).path("name").asText()).isEqualTo("prompt");
      assertThat(txt2img.path("params").get(0).path("required").asBoolean()).isTrue();
      assertThat(json(http.send("GET", "api/v1/templates", null, null), 401).path("error").asText()).isEqualTo("unauthorized");

      HttpResponse<String> document = http.send("GET", "openapi.json", null, null);
      JsonNode openapi = json(document, 200);
      assertThat(document.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
      assertThat(openapi.path("openapi").asText()).startsWith("3.");
      assertThat(openapi.path("servers").get(0).path("url").asText()).isEqualTo("/comfygate");
      assertThat(openapi.path("paths").has("/api/v1/jobs")).isTrue();
      assertThat(openapi.path("paths").has("/api/v1/templates")).isTrue();
      assertThat(openapi.path("components").path("schemas").has("ErrorMessage")).isTrue();
    } finally {
      undeployWar();
    }
  }
}
