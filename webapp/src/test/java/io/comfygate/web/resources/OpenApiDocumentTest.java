package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.config.Settings;
import io.comfygate.web.AppServices;
import io.comfygate.web.ComfyApplication;
import io.comfygate.web.docs.ApiDocument;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document against the REST application as registered: every resource method of every
 * registered resource class (found by reflection, so resources added later are covered too) is in
 * the document with its HTTP method, is annotated (summary, operation id, a success response), and
 * every error response uses the one JSON error schema.
 */
class OpenApiDocumentTest extends ResourceTestBase {
  private static JsonNode doc;
  private static ComfyApplication app;

  /** Built once: it takes seconds. */
  @BeforeAll
  static void build() {
    app = new ComfyApplication(new AppServices(Settings.defaults(), engine, apiKeys));
    doc = read(new String(ApiDocument.json(ApiDocument.resourceClasses(app), "/comfygate"), java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * "GET /api/v1/jobs/{id}" for every resource method Jersey serves: of every registered class with
   * {@code @Path} and of every registered resource model.
   */
  private static Set<String> resourceMethods() {
    Set<String> methods = new LinkedHashSet<>();
    for (Class<?> type : app.getClasses()) {
      if (type.isAnnotationPresent(Path.class)) {
        collect(org.glassfish.jersey.server.model.Resource.from(type), "", methods);
      }
    }
    app.getResources().forEach(r -> collect(r, "", methods));
    assertThat(methods).as("the resource objects are there").contains("POST " + ApiDocument.API_ROOT + "/v1/jobs");
    return methods;
  }

  private static void collect(org.glassfish.jersey.server.model.Resource resource, String prefix, Set<String> into) {
    String path = ApiDocument.templatePath(prefix, resource.getPath() == null ? "" : resource.getPath());
    assertThat(resource.getResourceLocator()).as("%s: sub-resource locators are not covered by this test", path).isNull();
    resource.getResourceMethods().forEach(m -> into.add(m.getHttpMethod() + " " + ApiDocument.API_ROOT + path));
    resource.getChildResources().forEach(child -> collect(child, path, into));
  }

  private static JsonNode operation(String methodAndPath) {
    String[] parts = methodAndPath.split(" ", 2);
    return doc.path("paths").path(parts[1]).path(parts[0].toLowerCase(Locale.ROOT));
  }

  @Test
  void everyResourceMethodOfEveryRegisteredResourceIsDocumented() {
    Set<String> methods = resourceMethods();
    assertThat(methods).as("the application's resource methods").hasSizeGreaterThan(20)
        .contains("POST /api/v1/jobs", "GET /api/v1/jobs/{id}", "GET /api/v1/templates", "DELETE /api/v1/session");

    List<String> missing = new ArrayList<>();
    List<String> unannotated = new ArrayList<>();
    Set<String> operationIds = new HashSet<>();
    for (String method : methods) {
      JsonNode op = operation(method);
      if (op.isMissingNode()) {
        missing.add(method);
        continue;
      }
      boolean success = false;
      for (Iterator<String> it = op.path("responses").fieldNames(); it.hasNext(); ) {
        success |= it.next().startsWith("2");
      }
      if (op.path("summary").asText().isBlank() || !success || !operationIds.add(op.path("operationId").asText())) {
        unannotated.add(method + " (needs @Operation with a unique operationId and summary, and a 2xx @ApiResponse)");
      }
    }
    assertThat(missing).as("resource methods missing from /openapi.json").isEmpty();
    assertThat(unannotated).as("resource methods without their OpenAPI annotations").isEmpty();
  }

  @Test
  void everyErrorResponseIsTheJsonErrorSchemaAndIdentityErrorsApplyWhereNeeded() {
    assertThat(doc.path("components").path("schemas").path(ApiDocument.ERROR_SCHEMA).path("properties").fieldNames())
        .toIterable().contains("error", "message", "problems", "retry_after_seconds", "error_id");
    String ref = "#/components/schemas/" + ApiDocument.ERROR_SCHEMA;
    List<String> wrong = new ArrayList<>();
    for (String method : resourceMethods()) {
      JsonNode responses = operation(method).path("responses");
      for (Iterator<Map.Entry<String, JsonNode>> it = responses.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> response = it.next();
        if ((response.getKey().startsWith("4") || response.getKey().startsWith("5"))
            && !response.getValue().path("content").path("application/json").path("schema").path("$ref").asText().equals(ref)) {
          wrong.add(method + " " + response.getKey());
        }
      }
      if (!method.contains("/v1/session")) {
        assertThat(responses.has("401") && responses.has("403")).as("%s answers 401 and 403", method).isTrue();
      }
    }
    assertThat(wrong).as("error responses without the error schema").isEmpty();

    JsonNode submit = operation("POST /api/v1/jobs").path("responses");
    assertThat(submit.fieldNames()).toIterable().contains("202", "400", "422", "429", "503");
    assertThat(submit.path("429").path("headers").has("Retry-After")).isTrue();
    assertThat(operation("GET /api/v1/jobs/{id}").path("responses").has("404")).isTrue();
  }

  @Test
  void securitySchemesSchemasAndEndpointsOutsideJerseyAreDescribed() {
    assertThat(doc.path("openapi").asText()).startsWith("3.");
    assertThat(doc.path("servers").get(0).path("url").asText()).isEqualTo("/comfygate");
    JsonNode schemes = doc.path("components").path("securitySchemes");
    assertThat(schemes.path("basic").path("scheme").asText()).isEqualTo("basic");
    assertThat(schemes.path("apiKey").path("scheme").asText()).isEqualTo("bearer");
    assertThat(schemes.path("session").path("in").asText()).isEqualTo("cookie");
    assertThat(doc.path("security")).hasSize(3);
    assertThat(operation("POST /api/v1/session").path("security")).as("signing in needs no identity").isEmpty();
    assertThat(operation("GET /healthz").path("responses").has("503")).isTrue();
    assertThat(operation("GET /openapi.json").isMissingNode()).isFalse();
    assertThat(operation("GET /api/v1/live").isMissingNode()).isFalse();
    assertThat(operation("POST /api/v1/jobs").path("parameters").findValuesAsText("name")).contains("Idempotency-Key");
    assertThat(operation("GET /api/v1/jobs").path("parameters").findValuesAsText("name")).contains("page", "size");

    // The API writes snake_case; so must the schemas. Every $ref points at a schema that exists.
    JsonNode schemas = doc.path("components").path("schemas");
    assertThat(schemas.path("JobView").path("properties").has("eta_seconds")).isTrue();
    List<String> camel = new ArrayList<>();
    schemas.fields().forEachRemaining(s -> s.getValue().path("properties").fieldNames().forEachRemaining(p -> {
      if (!p.equals(p.toLowerCase(Locale.ROOT))) {
        camel.add(s.getKey() + "." + p);
      }
    }));
    assertThat(camel).as("properties not in snake_case").isEmpty();
    List<String> dangling = new ArrayList<>();
    for (JsonNode r : doc.findValues("$ref")) {
      String name = r.asText().substring(r.asText().lastIndexOf('/') + 1);
      if (!schemas.has(name)) {
        dangling.add(r.asText());
      }
    }
    assertThat(dangling).isEmpty();
  }

  /**
   * README's API table says who may call what, and it agrees with the declarations the server
   * enforces (published as {@code x-access}): every operation of the document has its row, every
   * row names operations that exist, and "user" or "owner, admin" means the user or admin role,
   * "admin" the admin role, "anyone" no identity; the endpoints outside Jersey say what
   * {@link io.comfygate.web.security.ServletAccess} says.
   */
  @Test
  void readmesApiTableSaysWhoMayCallWhatAsTheServerEnforces() throws java.io.IOException {
    java.util.Map<String, String> readme = new java.util.LinkedHashMap<>();
    java.util.regex.Pattern row = java.util.regex.Pattern.compile("^\\| (`[^|]+`) \\| ([^|]+) \\|");
    java.util.regex.Pattern op = java.util.regex.Pattern.compile("`([A-Z/]+) (/[^`?]*)[^`]*`");
    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("../README.md"))) {
      java.util.regex.Matcher r = row.matcher(line);
      if (!r.find()) {
        continue;
      }
      java.util.regex.Matcher o = op.matcher(r.group(1));
      while (o.find()) {
        for (String method : o.group(1).split("/")) {
          readme.put(method + " " + o.group(2).replaceAll("\\{[^}]*}", "{}"), r.group(2).strip());
        }
      }
    }
    java.util.Map<String, String> documented = new java.util.LinkedHashMap<>();
    doc.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(o ->
        documented.put(o.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey().replaceAll("\\{[^}]*}", "{}"),
            o.getValue().path(ApiDocument.ACCESS).asText("(no x-access)"))));
    assertThat(documented).as("operations").hasSizeGreaterThan(30);
    assertThat(readme.keySet()).as("README's API table lists every operation of the document, and only those")
        .containsExactlyInAnyOrderElementsOf(documented.keySet());
    for (java.util.Map.Entry<String, String> e : documented.entrySet()) {
      String said = readme.get(e.getKey());
      String who = said.split(";")[0].strip(); // "anyone; details for admins": who may call, then a note on what they see
      String meant = who.equals("owner, admin") ? "user" : who;
      assertThat(meant).as("who may call %s: README says '%s', the server enforces '%s'", e.getKey(), said, e.getValue())
          .isEqualTo(e.getValue());
    }
  }
}
