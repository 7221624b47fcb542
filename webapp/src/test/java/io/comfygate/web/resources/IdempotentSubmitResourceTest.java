package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

/** POST /v1/jobs with an Idempotency-Key header, in memory: replay, mismatch, bad keys. */
class IdempotentSubmitResourceTest extends ResourceTestBase {

  private Response submitWithKey(String caller, String prompt, String key) {
    return as(caller, "v1/jobs").header("Idempotency-Key", key)
        .post(Entity.json("{\"params\": " + small(prompt) + "}"));
  }

  @Test
  void aRetryIs202WithTheFirstJobMarkedReplayed() {
    Response first = submitWithKey("ida;user", "a fox", "order-1");
    JsonNode job = json(first, 202);
    assertThat(first.getHeaderString("Idempotent-Replayed")).isNull();

    Response retry = submitWithKey("ida;user", "a fox", "order-1");
    String location = retry.getHeaderString("Location");
    JsonNode again = json(retry, 202);

    assertThat(retry.getHeaderString("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.path("id").asText()).isEqualTo(job.path("id").asText());
    assertThat(location).endsWith("/v1/jobs/" + job.path("id").asText());
    assertThat(json(get("ida;user", "v1/jobs"), 200).path("total").asLong()).isEqualTo(1);
  }

  @Test
  void anotherRequestUnderTheKeyIs422NamingTheKey() {
    json(submitWithKey("ivo;user", "a fox", "order-2"), 202);

    JsonNode body = error(submitWithKey("ivo;user", "a hound", "order-2"), 422, "idempotency_key_reused");

    assertThat(body.path("message").asText()).contains("\"order-2\"");
    assertThat(json(get("ivo;user", "v1/jobs"), 200).path("total").asLong()).isEqualTo(1);
  }

  @Test
  void aMalformedKeyIs400NamingTheHeaderAndCreatesNothing() {
    badParameter(submitWithKey("ina;user", "a fox", ""), "Idempotency-Key");
    badParameter(submitWithKey("ina;user", "a fox", "k".repeat(256)), "Idempotency-Key");
    badParameter(submitWithKey("ina;user", "a fox", "caf\u00e9"), "Idempotency-Key");

    assertThat(json(get("ina;user", "v1/jobs"), 200).path("total").asLong()).isZero();
  }
}
