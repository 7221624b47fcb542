package io.comfygate.web;

import static io.comfygate.web.ItHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics} of the packaged WAR in the real Tomcat: who may read it (the METRICS_TOKEN
 * of it.env, admins; not users, not anonymous), the Prometheus text and OpenMetrics formats, and
 * counters and histograms that move when a job runs.
 */
class MetricsIT extends DeployedWar {
  private static final String TOKEN = "it-scrape-token";

  @RegisterExtension static final ItComfy comfy = ItComfy.withSteps(2);

  @BeforeEach
  void healthy() {
    http.awaitHealthy();
  }

  private HttpResponse<String> scrape(String caller, String... headers) {
    return http.send("GET", "metrics", caller, null, headers);
  }

  private String scrapeAsAdmin() {
    HttpResponse<String> response = scrape("root");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  @Test
  void anonymousCallersAndUsersAreRefusedWithTheApisJsonErrors() {
    HttpResponse<String> anonymous = scrape(null);
    assertThat(json(anonymous, 401).path("error").asText()).isEqualTo("unauthorized");
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isPresent();

    assertThat(json(scrape("alice"), 403).path("error").asText()).isEqualTo("forbidden");
    assertThat(json(scrape("nobody"), 403).path("error").asText()).isEqualTo("forbidden");
    assertThat(json(scrape(null, "Authorization", "Bearer not-the-token"), 401).path("error").asText())
        .isEqualTo("unauthorized");
    assertThat(json(http.send("GET", "metrics", null, null, "Authorization", ItHttp.basicOf("root:wrong")), 401)
        .path("error").asText()).isEqualTo("unauthorized");
  }

  @Test
  void theScrapeTokenAndAnAdminReadPrometheusTextAndOpenMetricsWhenAskedFor() {
    HttpResponse<String> withToken = scrape(null, "Authorization", "Bearer " + TOKEN);
    assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(200);
    assertThat(withToken.headers().firstValue("Content-Type"))
        .hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain").contains("version=0.0.4"));
    assertThat(withToken.body()).contains("# HELP comfygate_backend_up ").contains("# TYPE comfygate_backend_up gauge")
        .contains("jvm_memory_used_bytes");
    assertThat(value(withToken.body(), "comfygate_backend_up{backend=\"127.0.0.1:" + comfy.get().port() + "\"}")).hasValue(1);
    assertThat(value(withToken.body(), "comfygate_health_up")).hasValue(1);
    assertThat(withToken.body()).containsPattern("comfygate_build_info\\{instance_id=\"[^\"]+\",version=\"[^\"]+\"} 1").containsPattern("comfygate_dispatcher\\{instance_id=\"[^\"]+\"} 1");

    HttpResponse<String> open = scrape("root", "Accept", "application/openmetrics-text; version=1.0.0");
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.headers().firstValue("Content-Type"))
        .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/openmetrics-text"));
    assertThat(open.body()).contains("# TYPE comfygate_jobs_submitted counter").endsWith("# EOF\n");
  }

  @Test
  void aJobMovesTheSubmittedCounterAndTheHistogramsAndABadSubmitCountsAsInvalid() {
    String before = scrapeAsAdmin();
    double submitted = value(before, "comfygate_jobs_submitted_total{template=\"txt2img\"}").orElse(0);
    double invalid = value(before, "comfygate_jobs_rejected_total{reason=\"invalid\"}").orElseThrow();

    HttpResponse<String> accepted = http.send("POST", "api/v1/jobs", "bob",
        "{\"params\": {\"prompt\": \"metrics\", \"width\": 64, \"height\": 64, \"steps\": 2}}");
    json(accepted, 202);
    http.awaitState(http.relative(accepted.headers().firstValue("Location").orElseThrow()), "bob", "succeeded",
        Duration.ofSeconds(30));
    json(http.send("POST", "api/v1/jobs", "bob", "{\"params\": {\"prompt\": \"\", \"width\": 7}}"), 400);

    // The refusal is counted once the chain returns, which can be after the client has its 400.
    String after = http.await("metrics", "root", Duration.ofSeconds(10),
        r -> value(r.body(), "comfygate_job_run_seconds_count{outcome=\"succeeded\"}").orElse(0) >= 1
            && value(r.body(), "comfygate_jobs_rejected_total{reason=\"invalid\"}").orElse(0) > invalid).body();
    assertThat(value(after, "comfygate_jobs_submitted_total{template=\"txt2img\"}")).hasValue(submitted + 1);
    assertThat(value(after, "comfygate_jobs_rejected_total{reason=\"invalid\"}")).hasValue(invalid + 1);
    assertThat(after).contains("comfygate_job_run_seconds_bucket{outcome=\"succeeded\",le=\"1.0\"}")
        .contains("comfygate_job_queue_wait_seconds_bucket{le=\"0.1\"}")
        .contains("comfygate_job_dispatch_latency_seconds_bucket{backend=\"127.0.0.1:" + comfy.get().port() + "\",le=\"+Inf\"}");
  }

  /** The value of one series (name and labels exactly as written), if the scrape has it. */
  private static OptionalDouble value(String scrape, String series) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(series + " ")) {
        return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]));
      }
    }
    return OptionalDouble.empty();
  }
}
