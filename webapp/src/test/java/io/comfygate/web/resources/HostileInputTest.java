package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Values an attacker sends to make the server fail rather than refuse (each once answered 500):
 * numbers beyond a double, dates at the far ends of what {@code Instant} parses, bodies of the
 * wrong JSON type or in a broken encoding. Each is a 400 naming what was wrong, and no job is made.
 */
class HostileInputTest extends ResourceTestBase {
  private static final String CALLER = "mallory;user";

  @Test
  void numbersBeyondADoubleAre400NamingTheParameter() {
    for (String value : List.of("1e309", "-1e309", "1e999999999", "1E+2147483647", "-1E+2147483647", "99999999999999999999999999")) {
      for (String field : List.of("steps", "cfg", "seed", "width", "batch_size")) {
        JsonNode body = error(submit(CALLER, "{\"prompt\": \"p\", \"" + field + "\": " + value + "}"), 400, "invalid_params");
        assertThat(body.path("problems").findValuesAsText("field")).as("%s = %s: %s", field, value, body).containsExactly(field);
        assertThat(body.toString()).as("the message stays short").hasSizeLessThan(400);
      }
    }
    JsonNode tiny = error(submit(CALLER, "{\"prompt\": \"p\", \"seed\": 1e-400}"), 400, "invalid_params");
    assertThat(tiny.path("problems").get(0).path("reason").asText()).isEqualTo("must be a whole number (got 1E-400)");
    JsonNode cfg = error(submit(CALLER, "{\"prompt\": \"p\", \"cfg\": 1e309}"), 400, "invalid_params");
    assertThat(cfg.path("problems").get(0).path("reason").asText()).isEqualTo("must be at most 30.0 (got 1E+309)");
    // An exponent beyond what any number parser takes is not JSON we can read.
    error(submit(CALLER, "{\"prompt\": \"p\", \"steps\": 1e99999999999}"), 400, "bad_request");
    assertNoJobs();
  }

  @Test
  void wrongJsonTypesAre400NamingTheField() {
    assertNamed(post(CALLER, "v1/jobs", "{\"template\": {}, \"params\": {}}"), "template", "must be a string");
    assertNamed(post(CALLER, "v1/jobs", "{\"template\": [1], \"params\": {}}"), "template", "must be a string");
    assertNamed(post(CALLER, "v1/jobs", "{\"webhook_url\": [1], \"params\": {}}"), "webhook_url", "must be a string");
    for (String body : List.of("[1]", "\"text\"", "1e309", "true")) {
      assertNamed(post(CALLER, "v1/jobs", body), "body", "must be a JSON object");
    }
    for (String params : List.of("[1]", "\"x\"", "7", "true")) {
      JsonNode refused = error(post(CALLER, "v1/jobs", "{\"params\": " + params + "}"), 400, "invalid_params");
      assertThat(refused.path("problems").get(0).path("field").asText()).isEqualTo("params");
    }
    JsonNode prompt = error(submit(CALLER, "{\"prompt\": {\"a\": 1}}"), 400, "invalid_params");
    assertThat(prompt.path("problems").get(0).path("field").asText()).isEqualTo("prompt");
    assertNoJobs();
  }

  @Test
  void deepNestingAndBrokenEncodingsAre400() {
    JsonNode deep = error(post(CALLER, "v1/jobs", "{\"params\": {\"prompt\": " + "[".repeat(5000) + "]".repeat(5000) + "}}"), 400, "bad_request");
    assertThat(deep.path("message").asText()).contains("nesting depth");
    error(post(CALLER, "v1/jobs", "{\"params\": " + "{\"a\":".repeat(3000) + "1" + "}".repeat(3000) + "}"), 400, "bad_request");

    byte[] invalidUtf8 = "{\"params\": {\"prompt\": \"\u00ff\u00ff\"}}".getBytes(StandardCharsets.ISO_8859_1);
    JsonNode utf8 = error(raw("application/json", invalidUtf8), 400, "bad_request");
    assertThat(utf8.path("message").asText()).contains("UTF-8");
    error(raw("application/json; charset=ISO-8859-1", invalidUtf8), 400, "bad_request");
    // A charset the JVM does not know changes nothing: JSON is read as UTF-8 (or UTF-16/32 by its first bytes).
    error(raw("application/json; charset=x-no-such-charset", "{\"params\": {}}".getBytes(StandardCharsets.UTF_8)), 400, "invalid_params");
    // UTF-16 with its byte order mark is JSON a reader may accept (RFC 8259 §8.1): read, then judged on its values.
    byte[] utf16 = "{\"params\": {\"prompt\": \"x\", \"steps\": 1e309}}".getBytes(StandardCharsets.UTF_16);
    JsonNode judged = error(raw("application/json", utf16), 400, "invalid_params");
    assertThat(judged.path("problems").get(0).path("field").asText()).isEqualTo("steps");
    assertNoJobs();
  }

  @Test
  void datesBeyondFourDigitYearsAre400NamingTheParameter() {
    for (String date : List.of("%2B999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "%2B10000-01-01T00:00:00Z",
        "-0001-12-31T23:59:59Z", "%2B1000000000-12-31T23:59:59Z")) {
      for (String parameter : List.of("from_date", "to_date")) {
        JsonNode body = badParameter(get(ADMIN, "v1/admin/images?" + parameter + "=" + date), parameter);
        assertThat(body.path("message").asText()).as(date).contains("between 0000-01-01 and 9999-12-31");
      }
    }
    assertThat(json(get(ADMIN, "v1/admin/images?from_date=0000-01-01&to_date=9999-12-31T23:59:59Z"), 200).has("items")).isTrue();
  }

  @Test
  void anAcceptHeaderThatDoesNotParseIsA400NamingIt() {
    // Jersey's own answer to these was a 400 with an empty body, past every exception mapper.
    // (A Content-Type that does not parse fails in Jersey's servlet: see WarDeploymentIT.)
    for (String accept : List.of("a/b/c", "application/json;q=x", "/", "application/json; charset=\"")) {
      JsonNode body = error(as(CALLER, "v1/jobs").header("Accept", accept).get(), 400, "bad_request");
      assertThat(body.path("problems").get(0).path("field").asText()).as(accept).isEqualTo("Accept");
    }
    assertThat(json(as(CALLER, "v1/jobs").header("Accept", "application/json, */*;q=0.8").get(), 200).has("items")).isTrue();
    assertNoJobs();
  }

  private Response raw(String contentType, byte[] body) {
    return as(CALLER, "v1/jobs").post(Entity.entity(body, MediaType.valueOf(contentType)));
  }

  private static void assertNamed(Response response, String field, String reason) {
    JsonNode body = error(response, 400, "bad_request");
    assertThat(body.path("problems").get(0).path("field").asText()).as(body.toString()).isEqualTo(field);
    assertThat(body.path("problems").get(0).path("reason").asText()).as(body.toString()).isEqualTo(reason);
    assertThat(body.path("message").asText()).isEqualTo(field + ": " + reason).doesNotContain("java.", "io.comfygate");
  }

  private void assertNoJobs() {
    assertThat(json(get(CALLER, "v1/jobs"), 200).path("total").asLong()).as("jobs made by refused requests").isZero();
  }
}
