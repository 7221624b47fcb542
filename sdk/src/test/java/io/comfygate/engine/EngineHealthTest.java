package io.comfygate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.health.CheckResult;
import io.comfygate.health.HealthReport;
import io.comfygate.health.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The health verdict behind /healthz, the admin banner and the Generate pre-check. */
class EngineHealthTest {
  @RegisterExtension
  static final EngineFixture ENGINE = new EngineFixture();

  private static CheckResult check(HealthReport report, String name) {
    return report.check(name).orElseThrow(() -> new AssertionError("no check " + name + " in " + report));
  }

  private static void awaitBackendHealthy(JobEngine engine, boolean healthy) {
    EngineTests.waitUntil("the backend to become " + (healthy ? "healthy" : "unhealthy"), Duration.ofSeconds(10),
        () -> engine.backends().get(0).healthy() == healthy);
  }

  @Test
  void everyCheckIsReportedAndAllIsWell() {
    HealthReport report = ENGINE.start().health();

    assertThat(report.ok()).isTrue();
    assertThat(report.verdict()).isEqualTo("OK");
    String backend = "comfyui:" + ENGINE.comfy().baseUrl().getAuthority();
    assertThat(report.checks()).extracting(CheckResult::name).contains(backend, "database", "disk", "llm");
    assertThat(check(report, backend).status()).isEqualTo(Status.UP);
    assertThat(check(report, "database").status()).isEqualTo(Status.UP);
    assertThat(check(report, "llm").status()).isEqualTo(Status.DISABLED);
    assertThat(check(report, "llm").reason()).contains("LLM_BASE_URL");
  }

  @Test
  void lowDiskFailsWithTheThresholdInTheReason() {
    HealthReport report = ENGINE.start(b -> b.diskMinFreeMb(Long.MAX_VALUE / (1024 * 1024))).health();

    assertThat(report.ok()).isFalse();
    assertThat(check(report, "disk").reason()).contains("HEALTHZ_DISK_MIN_FREE_MB");
  }

  @Test
  void precheckAnswersWithinItsBudgetWhenTheBackendHangs() {
    JobEngine engine = ENGINE.start(b -> b.probeInterval(Duration.ofMillis(100)));
    ENGINE.comfy().httpDelay(Duration.ofSeconds(5));
    try {
      // Let the cached verdict age past its max age, so the pre-check has to ask again.
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      HealthReport report;
      long took;
      do {
        long start = System.nanoTime();
        report = engine.precheck();
        took = System.nanoTime() - start;
      } while (report.ok() && System.nanoTime() < deadline);

      assertThat(Duration.ofNanos(took)).isLessThan(Duration.ofMillis(2500));
      assertThat(report.ok()).isFalse();
      assertThat(report.failures()).extracting(CheckResult::name).containsExactly("comfyui:" + ENGINE.comfy().baseUrl().getAuthority());
      assertThat(report.checks()).extracting(CheckResult::name).doesNotContain("llm");
    } finally {
      ENGINE.comfy().clearFaults();
    }
  }

  @Test
  void aStoppedBackendFailsHealthWithItsReasonAndRecoversByItself() throws InterruptedException {
    JobEngine engine = ENGINE.start();
    String backend = "comfyui:" + ENGINE.comfy().baseUrl().getAuthority();
    ENGINE.comfy().stop();
    awaitBackendHealthy(engine, false);
    HealthReport down = engine.health();
    assertThat(down.ok()).isFalse();
    assertThat(check(down, backend).reason()).contains("not reachable");
    assertThat(down.summary()).startsWith("FAIL");

    ENGINE.comfy().restart();
    awaitBackendHealthy(engine, true);
    assertThat(engine.health().ok()).isTrue();
  }
}
