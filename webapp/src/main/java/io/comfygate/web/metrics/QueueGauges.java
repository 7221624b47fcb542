package io.comfygate.web.metrics;

import io.comfygate.engine.JobEngine;
import io.comfygate.engine.QueueDepth;
import io.comfygate.health.CheckResult;
import io.comfygate.health.HealthReport;
import io.comfygate.health.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gauges of the queue and of health, read from one snapshot taken by {@link #refresh()} just before
 * each scrape (one short hold of the engine's lock per scrape, however many series there are).
 *
 * <p><b>Cardinality.</b> A series per user would grow with every user who ever submitted. Here a
 * user has a {@code comfygate_user_waiting_jobs} series only while they have jobs waiting; it is
 * removed when their count drops to zero, so the number of series follows the queue, not the user
 * base. It is further capped at the {@code maxUsers} users with the most waiting jobs;
 * {@code comfygate_queue_waiting_jobs} always has the total. Backends and health checks are fixed
 * at start-up.
 */
final class QueueGauges {
  private final JobEngine engine;
  private final int maxUsers;
  private final MultiGauge perUser;
  private final MultiGauge checks;
  private volatile QueueDepth depth;
  private volatile Optional<HealthReport> health = Optional.empty();

  QueueGauges(JobEngine engine, MeterRegistry registry, int maxUsers) {
    if (maxUsers < 0) {
      throw new IllegalArgumentException("maxUsers must be >= 0: " + maxUsers);
    }
    this.engine = engine;
    this.maxUsers = maxUsers;
    this.depth = engine.queueDepth();
    Gauge.builder("comfygate.queue.waiting.jobs", this, g -> g.depth.totalWaiting())
        .description("Jobs waiting for a backend, all users").strongReference(true).register(registry);
    perUser = MultiGauge.builder("comfygate.user.waiting.jobs")
        .description("Jobs waiting for a backend, per user with at least one waiting (capped, see docs/metrics.md)")
        .register(registry);
    for (QueueDepth.BackendLoad b : depth.backends()) {
      String name = b.name();
      Gauge.builder("comfygate.backend.jobs", this, g -> g.load(name).map(QueueDepth.BackendLoad::queued).orElse(0))
          .description("Jobs handed to a backend, by state (queued there or running)")
          .tags("backend", name, "state", "queued").strongReference(true).register(registry);
      Gauge.builder("comfygate.backend.jobs", this, g -> g.load(name).map(QueueDepth.BackendLoad::running).orElse(0))
          .description("Jobs handed to a backend, by state (queued there or running)")
          .tags("backend", name, "state", "running").strongReference(true).register(registry);
      Gauge.builder("comfygate.backend.up", this, g -> g.load(name).map(l -> l.healthy() ? 1 : 0).orElse(0))
          .description("1 while the backend is given jobs, 0 while it is down")
          .tag("backend", name).strongReference(true).register(registry);
    }
    Gauge.builder("comfygate.health.up", this, g -> g.health.map(r -> r.ok() ? 1 : 0).orElse(0))
        .description("1 when the last background health round passed (as /healthz), 0 when a check failed")
        .strongReference(true).register(registry);
    checks = MultiGauge.builder("comfygate.health.check.up")
        .description("Each health check of the last round: 1 up, 0 down (disabled checks are left out)")
        .register(registry);
  }

  /** Takes a new snapshot and adds or removes per-user and per-check series to match it. */
  synchronized void refresh() {
    QueueDepth now = engine.queueDepth();
    depth = now;
    health = engine.lastHealth();
    List<MultiGauge.Row<?>> users = new ArrayList<>();
    now.waitingByUser().entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
        .limit(maxUsers)
        .forEach(e -> users.add(MultiGauge.Row.of(Tags.of("user", e.getKey()), this, g -> g.waiting(e.getKey()))));
    perUser.register(users, false);
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    health.ifPresent(report -> {
      for (CheckResult c : report.checks()) {
        if (c.status() != Status.DISABLED) {
          rows.add(MultiGauge.Row.of(Tags.of("check", c.name()), this, g -> g.checkUp(c.name())));
        }
      }
    });
    checks.register(rows, false);
  }

  private int waiting(String user) {
    return depth.waitingByUser().getOrDefault(user, 0);
  }

  private double checkUp(String check) {
    return health.flatMap(r -> r.check(check)).map(c -> c.isDown() ? 0.0 : 1.0).orElse(Double.NaN);
  }

  private Optional<QueueDepth.BackendLoad> load(String backend) {
    return depth.backends().stream().filter(b -> b.name().equals(backend)).findFirst();
  }
}
