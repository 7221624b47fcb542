package io.comfygate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.testkit.FakeComfyUi;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged WAR in a real Tomcat 11 (users from its file realm) in front of FakeComfyUi on
 * the port the WAR's settings name: health, sign-in rules, one job from submit to image file.
 */
class WarDeploymentIT extends DeployedWar {
  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(3);

  private HttpResponse<String> awaitJob(String path, String state) {
    return http.await(path, "alice", Duration.ofSeconds(30), r -> r.body().contains("\"state\":\"" + state + "\""));
  }

  @Test
  void healthzTellsAnyoneTheVerdictAndAdministratorsTheDetails() throws Exception {
    HttpResponse<String> health = http.awaitHealthy();
    assertThat(health.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
    String outputDir = ItHttp.itSetting("OUTPUT_DIR");
    String backend = "comfyui:127.0.0.1:" + comfy.get().port();

    // Anonymous, a user who is not an administrator, wrong credentials: names and verdicts only.
    for (String caller : new String[] {null, "alice", "mallory"}) {
      JsonNode anonymous = ItHttp.json(http.send("GET", "healthz", caller, null), 200);
      assertThat(anonymous.path("status").asText()).isEqualTo("OK");
      assertThat(anonymous.path("checks").findValuesAsText("name")).as("as %s", caller)
          .containsExactlyInAnyOrder("comfyui#1", "database", "disk", "llm");
      anonymous.path("checks").forEach(c -> assertThat(c.properties()).extracting(java.util.Map.Entry::getKey)
          .containsExactlyInAnyOrder("name", "status", "checked_at"));
      assertThat(anonymous.toString()).doesNotContain(outputDir, "127.0.0.1", String.valueOf(comfy.get().port()), "reason");
    }

    // An administrator by Basic, by an API key with the admin role: every reason, the path and the address.
    String adminKey = "key:" + ItHttp.json(http.send("POST", "api/v1/admin/api-keys", "root",
        "{\"user_id\": \"healthwatch\", \"name\": \"healthz\", \"admin\": true}"), 201).path("key").asText();
    for (String admin : new String[] {"root", adminKey}) {
      JsonNode full = ItHttp.json(http.send("GET", "healthz", admin, null), 200);
      assertThat(full.path("checks").findValuesAsText("name")).contains(backend, "database", "disk", "llm");
      assertThat(full.toString()).contains(outputDir).contains("\"reason\"").contains("\"latency_ms\"");
    }
    // The admin banner keeps them too.
    assertThat(http.send("GET", "api/v1/admin/status", "root", null).body()).contains(backend, outputDir);
  }

  /** Jersey's servlet answered these with an empty 400 before any code of ours ran. */
  @Test
  void aContentTypeThatDoesNotParseIsAJson400NamingIt() {
    long jobs = ItHttp.json(http.send("GET", "api/v1/jobs", "carol", null), 200).path("total").asLong();
    for (String type : new String[] {"json", "application/json; charset", "a/b/c", "application/json; a=b=c", "/"}) {
      HttpResponse<String> post = http.post("api/v1/jobs", "carol", java.net.http.HttpRequest.BodyPublishers.ofString("{}"), type);
      HttpResponse<String> get = http.send("GET", "api/v1/jobs", "carol", null, "Content-Type", type);
      for (HttpResponse<String> r : List.of(post, get)) {
        JsonNode body = ItHttp.json(r, 400);
        assertThat(body.path("problems").get(0).path("field").asText()).as(r.request().method() + " " + type).isEqualTo("Content-Type");
      }
    }
    assertThat(ItHttp.json(http.send("GET", "api/v1/jobs", "carol", null), 200).path("total").asLong()).as("jobs").isEqualTo(jobs);
  }

  @Test
  void theApiAnswersJsonForMissingWrongAndInsufficientCredentials() throws Exception {
    HttpResponse<String> anonymous = http.send("GET", "api/v1/jobs", null, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).contains("\"error\":\"unauthorized\"");
    assertThat(http.send("GET", "api/v1/jobs", "mallory", null).statusCode()).as("wrong password").isEqualTo(401);
    HttpResponse<String> noRole = http.send("GET", "api/v1/jobs", "nobody", null);
    assertThat(noRole.statusCode()).isEqualTo(403);
    assertThat(noRole.body()).contains("\"error\":\"forbidden\"");
    assertThat(http.send("GET", "api/v1/admin/queue", "alice", null).statusCode()).isEqualTo(403);
    assertThat(http.send("GET", "api/v1/admin/queue", "root", null).statusCode()).isEqualTo(200);
    HttpResponse<String> unknown = http.send("GET", "api/v1/nothing-here", "alice", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("\"error\":\"not_found\"");
  }

  @Test
  void aJobRunsFromSubmitToItsImageFile() throws Exception {
    http.awaitHealthy();
    HttpResponse<String> submitted = http.send("POST", "api/v1/jobs", "alice",
        "{\"params\": {\"prompt\": \"a lighthouse\", \"width\": 64, \"height\": 64, \"steps\": 3}}");
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    String location = submitted.headers().firstValue("Location").orElseThrow();
    String path = URI.create(location).getPath().substring(base.getPath().length());

    HttpResponse<String> done = awaitJob(path, "succeeded");
    assertThat(done.body()).contains("\"eta_seconds\"").contains("\"progress\":{\"percent\":100");
    String file = done.body().replaceAll(".*\"url\":\"([^\"]+)\".*", "$1");
    HttpResponse<String> png = http.send("GET", file.substring(base.getPath().length()), "alice", null);
    assertThat(png.statusCode()).isEqualTo(200);
    assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
    assertThat(http.send("GET", file.substring(base.getPath().length()), "bob", null).statusCode()).as("not bob's").isEqualTo(404);
  }

  @Test
  void badParametersAreA400NamingTheField() throws Exception {
    HttpResponse<String> bad = http.send("POST", "api/v1/jobs", "alice", "{\"params\": {\"width\": 7}}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("\"error\":\"invalid_params\"").contains("\"field\":\"prompt\"").contains("\"field\":\"width\"");
    HttpResponse<String> page = http.send("GET", "api/v1/images?page=0", "alice", null);
    assertThat(page.statusCode()).isEqualTo(400);
    assertThat(page.body()).contains("page: must be between 1 and");
  }
}
