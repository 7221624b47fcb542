package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.testkit.WebhookReceiver;
import io.comfygate.webhooks.WebhookSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks through the deployed WAR: a job submitted with an API key and a webhook_url has its
 * state changes POSTed, signed and in order, to a receiver in this test; bad URLs are refused; the
 * admin sees the deliveries; and events pending when the WAR is undeployed arrive after it is
 * deployed again (the outbox is in the database).
 */
class WebhooksIT extends RedeployableWar {
  private static final List<String> LIFE = List.of("job.queued", "job.running", "job.succeeded");
  private static final WebhookReceiver receiver = new WebhookReceiver();

  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(1);

  @BeforeAll
  static void start() {
    receiver.start();
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  private boolean deployed;

  private void deploy() {
    deployWar();
    deployed = true;
    http.awaitHealthy();
  }

  @AfterEach
  void undeploy() {
    if (deployed) {
      undeployWar();
      deployed = false;
    }
  }

  @Test
  void signedEventsArriveInOrderBadUrlsAreRefusedAndTheAdminSeesTheDeliveries() {
    deploy();
    JsonNode issued = json(http.send("POST", "api/v1/admin/api-keys", "root", "{\"user_id\": \"ext\", \"name\": \"hooks\"}"), 201);
    String key = "key:" + issued.path("key").asText();
    String secret = issued.path("webhook_secret").asText();
    assertThat(secret).startsWith("whsec_");

    String job = submit(key, receiver.url().toString());
    waitFor("the job's three events", () -> receiver.types(job).size() == 3);
    assertThat(receiver.types(job)).isEqualTo(LIFE);
    for (WebhookReceiver.Hit hit : receiver.hits(job)) {
      assertThat(WebhookSigner.verify(secret, hit.signature(), hit.body(), Instant.now(), Duration.ofMinutes(5)))
          .as("signature of %s", hit.eventId()).isTrue();
      assertThat(WebhookSigner.verify("whsec_wrong", hit.signature(), hit.body(), Instant.now(), Duration.ofMinutes(5)))
          .isFalse();
    }
    JsonNode done = ItHttp.JSON.createObjectNode();
    for (WebhookReceiver.Hit hit : receiver.hits(job)) {
      done = hit.type().equals("job.succeeded") ? hit.json().path("job") : done;
    }
    assertThat(done.path("images").get(0).path("url").asText()).startsWith("/comfygate/api/v1/images/");

    // Bad URLs and callers that cannot sign: 400 naming webhook_url, nothing created.
    for (String bad : List.of("ftp://example.com/x", "not a url", "https://user:pw@example.com/")) {
      JsonNode refused = json(http.send("POST", "api/v1/jobs", key, body("\"" + bad + "\"")), 400);
      assertThat(refused.path("problems").get(0).path("field").asText()).isEqualTo("webhook_url");
    }
    // Receivers inside the server's network too, unless WEBHOOK_ALLOWED_HOSTS names them (it.env
    // says "*,127.0.0.1": any public host, and this test's receiver).
    for (String inside : List.of("http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/hook",
        "http://[::1]:8188/prompt", "http://localhost:" + receiver.url().getPort() + "/hook", "http://198.18.0.1/hook",
        "http://192.0.0.170/", "http://203.0.113.9/", "http://[2002:a00:1::1]/", "http://[64:ff9b:1::a00:1]/",
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "http://[::ffff:0:a00:1]/")) {
      JsonNode refused = json(http.send("POST", "api/v1/jobs", key, body("\"" + inside + "\"")), 400);
      assertThat(refused.path("problems").get(0).path("field").asText()).isEqualTo("webhook_url");
      assertThat(refused.path("message").asText()).as(inside)
          .contains("points to a non-public address").contains("allow it with WEBHOOK_ALLOWED_HOSTS");
    }
    JsonNode person = json(http.send("POST", "api/v1/jobs", "alice", body("\"" + receiver.url() + "\"")), 400);
    assertThat(person.path("message").asText()).contains("webhook_url").contains("API key");
    json(http.send("POST", "api/v1/admin/api-keys", "root",
        "{\"user_id\": \"ext\", \"name\": \"bad\", \"webhook_url\": \"gopher://x\"}"), 400);

    // The admin's view, and who may see it.
    // The receiver has the last event a moment before the outbox records its answer.
    JsonNode deliveries = json(http.await("api/v1/admin/webhooks?job_id=" + job, "root", Duration.ofSeconds(10),
        r -> !r.body().contains("\"pending\"")), 200).path("items");
    assertThat(deliveries).hasSize(3);
    deliveries.forEach(d -> {
      assertThat(d.path("state").asText()).isEqualTo("delivered");
      assertThat(d.path("attempts").asInt()).isEqualTo(1);
      assertThat(d.path("last_status").asInt()).isEqualTo(204);
    });
    assertThat(json(http.send("GET", "api/v1/admin/webhooks?state=failed&job_id=" + job, "root", null), 200)
        .path("total").asLong()).isZero();
    // The deliveries are counted in /metrics (at least these three; other jobs may add more).
    String metrics = http.send("GET", "metrics", "root", null).body();
    java.util.regex.Matcher delivered = java.util.regex.Pattern
        .compile("(?m)^comfygate_webhook_deliveries_total\\{outcome=\"delivered\"} (\\S+)$").matcher(metrics);
    assertThat(delivered.find()).as("delivered deliveries in /metrics").isTrue();
    assertThat(Double.parseDouble(delivered.group(1))).isGreaterThanOrEqualTo(3);
    json(http.send("GET", "api/v1/admin/webhooks?state=lost", "root", null), 400);
    json(http.send("GET", "api/v1/admin/webhooks", "alice", null), 403);
    json(http.send("GET", "api/v1/admin/webhooks", key, null), 403);
    String first = deliveries.get(2).path("event_id").asText();
    assertThat(json(http.send("POST", "api/v1/admin/webhooks/" + first + "/redeliver", "root", null), 200)
        .path("event_id").asText()).isEqualTo(first);
    waitFor("the redelivery", () -> receiver.hits(job).size() == 4);
    json(http.send("POST", "api/v1/admin/webhooks/e-none/redeliver", "root", null), 404);

    // A key's default URL serves jobs that name none.
    String keyId = issued.path("api_key").path("id").asText();
    JsonNode updated = json(http.send("PUT", "api/v1/admin/api-keys/" + keyId + "/webhook", "root",
        "{\"webhook_url\": \"" + receiver.url() + "\"}"), 200);
    assertThat(updated.path("webhook_url").asText()).isEqualTo(receiver.url().toString());
    for (String inside : List.of("http://192.168.1.1/hook", "http://198.19.255.255/hook", "http://[fd00::1]/")) {
      assertThat(json(http.send("PUT", "api/v1/admin/api-keys/" + keyId + "/webhook", "root",
          "{\"webhook_url\": \"" + inside + "\"}"), 400).path("message").asText()).as(inside).contains("non-public");
    }
    String byDefault = submit(key, null);
    waitFor("the default URL's events", () -> receiver.types(byDefault).size() == 3);
  }

  @Test
  void eventsPendingWhenTheWarIsUndeployedArriveAfterItIsDeployedAgain() {
    deploy();
    JsonNode issued = json(http.send("POST", "api/v1/admin/api-keys", "root", "{\"user_id\": \"ext2\", \"name\": \"restart\"}"), 201);
    String key = "key:" + issued.path("key").asText();
    receiver.stop();
    String job = submit(key, receiver.url().toString());
    http.awaitState("api/v1/jobs/" + job, key, "succeeded", Duration.ofSeconds(30));
    http.await("api/v1/admin/webhooks?state=pending&job_id=" + job, "root", Duration.ofSeconds(30),
        r -> r.body().contains("\"attempts\":1"));
    undeploy();

    receiver.start();
    deploy();

    waitFor("the events after the redeploy", () -> receiver.types(job).size() == 3);
    assertThat(receiver.types(job)).isEqualTo(LIFE);
  }

  private String submit(String key, String webhookUrl) {
    JsonNode job = json(http.send("POST", "api/v1/jobs", key, body(webhookUrl == null ? null : "\"" + webhookUrl + "\"")), 202);
    return job.path("id").asText();
  }

  private static String body(String webhookUrlJson) {
    return "{\"params\": {\"prompt\": \"hook\", \"width\": 64, \"height\": 64, \"steps\": 1}"
        + (webhookUrlJson == null ? "" : ", \"webhook_url\": " + webhookUrlJson) + "}";
  }

  private static JsonNode read(String json) {
    try {
      return ItHttp.JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void waitFor(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for %s; received %s", what, receiver.hits()).isLessThan(deadline);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
