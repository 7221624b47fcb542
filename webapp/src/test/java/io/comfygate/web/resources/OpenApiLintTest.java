package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.config.Settings;
import io.comfygate.web.AppServices;
import io.comfygate.web.ComfyApplication;
import io.comfygate.web.docs.ApiDocument;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document as a generated client in another language sees it: linted with redocly's
 * recommended rules (no errors), and typed where the API's values are typed (enums for closed sets,
 * integers for paging, date-time for times). Redocly runs through the machine's {@code npx} (Node.js
 * 18.17 or later; {@code .ci/run} installs Debian's nodejs and npm when missing), pinned to a 1.x
 * release because 2.x needs Node 20.
 */
class OpenApiLintTest extends ResourceTestBase {
  static final String REDOCLY = "@redocly/cli@1.34.20";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonNode doc;
  private static Path file;

  @BeforeAll
  static void build() throws IOException {
    ComfyApplication app = new ComfyApplication(new AppServices(Settings.defaults(), engine, apiKeys));
    byte[] json = ApiDocument.json(ApiDocument.resourceClasses(app), "/comfygate");
    doc = JSON.readTree(json);
    file = Path.of("target", "openapi.json");
    Files.createDirectories(file.getParent());
    Files.write(file, json);
  }

  @Test
  void redoclysRecommendedRulesFindNoError() throws Exception {
    List<String> command = new ArrayList<>(List.of("npx", "--yes", REDOCLY, "lint", "--format=stylish",
        file.toAbsolutePath().toString()));
    Path log = Files.createTempFile("redocly", ".log");
    Process lint = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = lint.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      lint.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.deleteIfExists(log);
    assertThat(ended).as("redocly ended within 5 minutes: %s", output).isTrue();
    assertThat(lint.exitValue()).as("redocly lint (recommended rules): %s", output).isZero();
    assertThat(output).contains("Woohoo! Your API description is valid.");
  }

  @Test
  void closedSetsAreEnumsTimesAreDateTimesPagingIsIntegers() {
    JsonNode schemas = doc.path("components").path("schemas");
    assertThat(values(schemas.path("JobView").path("properties").path("state").path("enum")))
        .containsExactly("queued", "running", "succeeded", "failed", "timeout", "cancelled");
    assertThat(values(schemas.path("DeliveryView").path("properties").path("state").path("enum")))
        .containsExactly("pending", "delivered", "failed");
    assertThat(values(schemas.path("ParamView").path("properties").path("type").path("enum")))
        .contains("string", "int", "float", "bool", "choice", "image");
    assertThat(values(schemas.path("Check").path("properties").path("status").path("enum"))).contains("UP", "DOWN");
    for (String time : List.of("created_at", "started_at", "finished_at")) {
      assertThat(schemas.path("JobView").path("properties").path(time).path("format").asText()).as(time).isEqualTo("date-time");
    }
    assertThat(schemas.path("ImageView").path("properties").path("deleted_at").path("format").asText()).isEqualTo("date-time");
    JsonNode listJobs = doc.path("paths").path("/api/v1/jobs").path("get").path("parameters");
    for (JsonNode p : listJobs) {
      assertThat(p.path("schema").path("type").asText()).as(p.path("name").asText()).isEqualTo("integer");
    }
    assertThat(listJobs).hasSize(2);
    JsonNode images = doc.path("paths").path("/api/v1/images").path("get").path("parameters");
    assertThat(images.findValues("enum")).as("include of the gallery").isNotEmpty();
  }

  private static List<String> values(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }
}
