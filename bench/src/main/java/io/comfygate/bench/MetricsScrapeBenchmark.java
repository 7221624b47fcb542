package io.comfygate.bench;

import io.comfygate.engine.JobEngine;
import io.comfygate.queue.QuotaPolicy;
import io.comfygate.templates.TemplateRegistry;
import io.comfygate.testkit.FakeComfyUi;
import io.comfygate.web.metrics.ComfyMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Time of one {@code GET /metrics} scrape body (snapshot of the queue, per-user series updated,
 * Prometheus text written) with {@value #USERS} users each holding a waiting job: once with a
 * per-user series for every one of them, once with the default cap of
 * {@value ComfyMetrics#DEFAULT_MAX_USER_SERIES}. The fake's worker is held, so the queue stays
 * put while it is measured. Bounded: {@value #WARMUP} + {@value #SAMPLES} scrapes per case. Loopback only.
 */
public final class MetricsScrapeBenchmark {
  static final int USERS = 1_000;
  static final int WARMUP = 100;
  static final int SAMPLES = 500;

  public static void main(String[] args) {
    System.out.println(BenchSupport.machine());
    Path work = BenchSupport.tempDir("comfygate-bench-metrics");
    try (FakeComfyUi fake = FakeComfyUi.builder().steps(1).start()) {
      fake.hang(true); // the first jobs stay on the backend; the rest wait
      try (JobEngine engine = JobEngine.builder()
          .servers(List.of(fake.baseUrl()))
          .templates(TemplateRegistry.shipped())
          .database(work.resolve("metrics.db").toString())
          .outputDir(work.resolve("outputs"))
          .quota(new QuotaPolicy(1, 1))
          .diskMinFreeMb(0)
          .probeInterval(Duration.ofSeconds(30))
          .build()) {
        // Two more users than USERS: the first two jobs go to the backend's two slots.
        for (int i = 0; i < USERS + 2; i++) {
          engine.submit(String.format(Locale.ROOT, "user-%04d", i), null, BenchSupport.tinyJob("p" + i));
        }
        System.out.printf(Locale.ROOT, "users with a waiting job: %d%n", engine.queueDepth().waitingByUser().size());
        measure(engine, USERS);
        measure(engine, ComfyMetrics.DEFAULT_MAX_USER_SERIES);
      } finally {
        fake.hang(false);
      }
    } finally {
      BenchSupport.deleteTree(work);
    }
  }

  private static void measure(JobEngine engine, int maxUserSeries) {
    try (ComfyMetrics metrics = ComfyMetrics.start(engine, "bench", maxUserSeries)) {
      String body = "";
      for (int i = 0; i < WARMUP; i++) {
        body = metrics.scrape();
      }
      List<Long> nanos = new ArrayList<>();
      for (int i = 0; i < SAMPLES; i++) {
        long start = System.nanoTime();
        body = metrics.scrape();
        nanos.add(System.nanoTime() - start);
      }
      long userSeries = body.lines().filter(l -> l.startsWith("comfygate_user_waiting_jobs{")).count();
      System.out.printf(Locale.ROOT, "per-user series %d (cap %d), body %d KiB: %s%n", userSeries, maxUserSeries,
          body.length() / 1024, Stats.of(nanos).summary());
    }
  }
}
