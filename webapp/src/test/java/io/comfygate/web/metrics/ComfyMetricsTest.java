package io.comfygate.web.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.comfygate.engine.JobEngine;
import io.comfygate.jobs.JobId;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.testkit.FakeComfyUiExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics of a real {@link JobEngine} driving FakeComfyUi over HTTP and WebSocket, on a SQLite
 * file, read back from the Prometheus text a scrape returns.
 */
class ComfyMetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final FakeComfyUiExtension COMFY = new FakeComfyUiExtension(
      FakeComfyUi.builder().steps(2).stepDelay(Duration.ofMillis(20)));

  @TempDir Path dir;
  private JobEngine engine;
  private final List<ComfyMetrics> metrics = new ArrayList<>();
  private String backend;

  @BeforeEach
  void start() {
    engine = JobEngine.builder()
        .servers(List.of(COMFY.get().baseUrl()))
        .database(dir.resolve("db/app.db").toString())
        .outputDir(dir.resolve("outputs"))
        .quota(new QuotaPolicy(3, 1))
        .jobTimeout(Duration.ofSeconds(1))
        .diskMinFreeMb(0)
        .probeInterval(Duration.ofMillis(200))
        .clientCustomizer(c -> c.historyPollInterval(Duration.ofMillis(100)).readTimeout(Duration.ofSeconds(2)))
        .build();
    backend = COMFY.get().baseUrl().getAuthority();
  }

  @AfterEach
  void stop() {
    metrics.forEach(ComfyMetrics::close);
    engine.close();
  }

  private ComfyMetrics metrics(int maxUsers) {
    ComfyMetrics m = ComfyMetrics.start(engine, "9.9.9-test", maxUsers);
    metrics.add(m);
    return m;
  }

  @Test
  void aCompletedJobMovesTheCountersAndEveryHistogram() {
    ComfyMetrics m = metrics(ComfyMetrics.DEFAULT_MAX_USER_SERIES);
    String before = m.scrape();
    assertThat(value(before, "comfygate_jobs_rejected_total{reason=\"quota\"}")).hasValue(0);
    assertThat(value(before, "comfygate_backend_up{backend=\"" + backend + "\"}")).hasValue(1);
    assertThat(value(before, "comfygate_health_up")).hasValue(1);
    String self = engine.cluster().self();
    assertThat(value(before, "comfygate_build_info{instance_id=\"" + self + "\",version=\"9.9.9-test\"}")).hasValue(1);
    assertThat(value(before, "comfygate_dispatcher{instance_id=\"" + self + "\"}")).as("one instance on SQLite dispatches").hasValue(1);
    assertThat(before).contains("# HELP comfygate_backend_up 1 while the backend is given jobs, 0 while it is down")
        .contains("jvm_memory_used_bytes").contains("process_uptime_seconds").contains("system_cpu_count");

    JobId id = engine.submit("alice", null, small("a cat")).id();
    engine.await(id, WAIT);

    String after = waitForScrape(m, s -> value(s, "comfygate_job_run_seconds_count{outcome=\"succeeded\"}").orElse(0) == 1);
    assertThat(value(after, "comfygate_jobs_submitted_total{template=\"txt2img\"}")).hasValue(1);
    assertThat(value(after, "comfygate_jobs_finished_total{outcome=\"succeeded\",template=\"txt2img\"}")).hasValue(1);
    assertThat(value(after, "comfygate_job_queue_wait_seconds_count")).hasValue(1);
    assertThat(value(after, "comfygate_job_dispatch_latency_seconds_count{backend=\"" + backend + "\"}")).hasValue(1);
    assertThat(value(after, "comfygate_comfyui_prompt_request_seconds_count{backend=\"" + backend + "\"}")).hasValue(1);
    assertThat(value(after, "comfygate_job_run_seconds_bucket{outcome=\"succeeded\",le=\"+Inf\"}")).hasValue(1);
    assertThat(after).contains("comfygate_job_run_seconds_bucket{outcome=\"succeeded\",le=\"600.0\"}")
        .contains("comfygate_job_dispatch_latency_seconds_bucket{backend=\"" + backend + "\",le=\"0.01\"}");
    assertThat(value(after, "comfygate_backend_jobs{backend=\"" + backend + "\",state=\"running\"}")).hasValue(0);
  }

  @Test
  void cancelledAndTimedOutJobsAreCountedByOutcomeAndAUsersQueueSeriesGoesWhenTheirQueueEmpties() {
    COMFY.get().slowNodes(Duration.ofSeconds(1)); // a job of several nodes outlives the 1 s job timeout
    ComfyMetrics m = metrics(ComfyMetrics.DEFAULT_MAX_USER_SERIES);
    JobId running = engine.submit("alice", null, small("times out")).id();
    JobId waiting = engine.submit("alice", null, small("waits")).id();

    String queued = m.scrape();
    assertThat(value(queued, "comfygate_user_waiting_jobs{user=\"alice\"}")).hasValue(1);
    assertThat(value(queued, "comfygate_queue_waiting_jobs")).hasValue(1);

    engine.cancel(waiting, "alice");
    String cancelled = waitForScrape(m, s ->
        value(s, "comfygate_jobs_finished_total{outcome=\"cancelled\",template=\"txt2img\"}").orElse(0) == 1);
    assertThat(cancelled).as("no series for a user with nothing waiting").doesNotContain("comfygate_user_waiting_jobs{");
    assertThat(value(cancelled, "comfygate_queue_waiting_jobs")).hasValue(0);
    assertThat(cancelled).as("a job cancelled before it started has no run time")
        .doesNotContain("comfygate_job_run_seconds_count{outcome=\"cancelled\"}");

    engine.await(running, WAIT);
    String timedOut = waitForScrape(m, s -> value(s, "comfygate_job_run_seconds_count{outcome=\"timeout\"}").orElse(0) == 1);
    assertThat(value(timedOut, "comfygate_jobs_finished_total{outcome=\"timeout\",template=\"txt2img\"}")).hasValue(1);
    assertThat(value(timedOut, "comfygate_jobs_submitted_total{template=\"txt2img\"}")).hasValue(2);
    assertThat(value(timedOut, "comfygate_job_run_seconds_sum{outcome=\"timeout\"}").orElseThrow())
        .as("ran at least the job timeout").isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void perUserSeriesAreCappedToTheUsersWithTheMostWaitingWhileTheTotalCountsEveryone() {
    COMFY.get().slowNodes(Duration.ofSeconds(1));
    ComfyMetrics m = metrics(1);
    engine.submit("alice", null, small("a1")); // on the backend
    engine.submit("bob", null, small("b1"));   // on the backend (its second slot)
    engine.submit("alice", null, small("a2"));
    engine.submit("alice", null, small("a3"));
    engine.submit("bob", null, small("b2"));

    String s = m.scrape();
    assertThat(value(s, "comfygate_user_waiting_jobs{user=\"alice\"}")).hasValue(2);
    assertThat(s).doesNotContain("comfygate_user_waiting_jobs{user=\"bob\"}");
    assertThat(value(s, "comfygate_queue_waiting_jobs")).hasValue(3);
    int onBackend = (int) (value(s, "comfygate_backend_jobs{backend=\"" + backend + "\",state=\"queued\"}").orElseThrow()
        + value(s, "comfygate_backend_jobs{backend=\"" + backend + "\",state=\"running\"}").orElseThrow());
    assertThat(onBackend).isEqualTo(2);
  }

  @Test
  void refusalsAndWebhookDeliveriesAreCountedAndTwoRegistriesOnOneEngineDoNotShareCounts() {
    ComfyMetrics first = metrics(ComfyMetrics.DEFAULT_MAX_USER_SERIES);
    first.refused(RefusedSubmitsFilter.reason(429));
    first.refused(RefusedSubmitsFilter.reason(400));
    first.refused(RefusedSubmitsFilter.reason(422));
    assertThat(RefusedSubmitsFilter.reason(401)).as("no credentials is not a refused submit").isNull();
    first.webhookDeliveries().record(WebhookDeliveryMeter.Outcome.DELIVERED, Duration.ofMillis(120));
    first.webhookDeliveries().record(WebhookDeliveryMeter.Outcome.GAVE_UP, Duration.ofSeconds(10));

    String s = first.scrape();
    assertThat(value(s, "comfygate_jobs_rejected_total{reason=\"quota\"}")).hasValue(1);
    assertThat(value(s, "comfygate_jobs_rejected_total{reason=\"invalid\"}")).hasValue(2);
    assertThat(value(s, "comfygate_jobs_rejected_total{reason=\"unhealthy\"}")).hasValue(0);
    assertThat(value(s, "comfygate_webhook_deliveries_total{outcome=\"delivered\"}")).hasValue(1);
    assertThat(value(s, "comfygate_webhook_delivery_seconds_bucket{outcome=\"delivered\",le=\"0.25\"}")).hasValue(1);
    assertThat(value(s, "comfygate_webhook_deliveries_total{outcome=\"gave_up\"}")).hasValue(1);

    ComfyMetrics second = metrics(ComfyMetrics.DEFAULT_MAX_USER_SERIES);
    assertThat(value(second.scrape(), "comfygate_jobs_rejected_total{reason=\"quota\"}")).hasValue(0);
    first.close();
    JobId id = engine.submit("carol", null, small("after close")).id();
    engine.await(id, WAIT);
    waitForScrape(second, t -> value(t, "comfygate_jobs_submitted_total{template=\"txt2img\"}").orElse(0) == 1);
  }

  // ------------------------------------------------------------------------------- helpers

  private static JsonNode small(String prompt) {
    try {
      return JSON.readTree("{\"prompt\": \"" + prompt + "\", \"width\": 64, \"height\": 64, \"steps\": 2}");
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The value of one series (name and labels exactly as written), if the scrape has it. */
  static OptionalDouble value(String scrape, String series) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(series + " ")) {
        return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]));
      }
    }
    return OptionalDouble.empty();
  }

  /** Scrapes until {@code done} holds (events reach the metrics on the engine's event thread). */
  private static String waitForScrape(ComfyMetrics m, java.util.function.Predicate<String> done) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String s = m.scrape();
    while (!done.test(s)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("metrics did not reach the expected values within " + WAIT.toSeconds() + " s:\n" + s);
      }
      sleep();
      s = m.scrape();
    }
    return s;
  }

  private static void sleep() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }
}
