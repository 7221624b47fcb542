package io.comfygate.webhooks;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.JobUpdate;
import io.comfygate.store.StoredJob;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JdbcJobStore;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Webhook events made the way the engine makes them: jobs written through a {@link JdbcJobStore}
 * whose change hook subscribes and records, into an {@link WebhookOutbox} with no deliverer, so that only
 * the test moves events out of pending.
 */
final class WebhookOutboxFixture {
  static final WebhookTarget TARGET = new WebhookTarget(URI.create("https://hooks.example.com/in"), "k-test");

  final WebhookOutbox outbox;
  private final JdbcJobStore jobs;
  private final Clock clock;

  WebhookOutboxFixture(Database db, Instant at) {
    this.outbox = new WebhookOutbox(db, new JobPayloads("/api/"));
    this.clock = Clock.fixed(at, ZoneOffset.UTC);
    this.jobs = new JdbcJobStore(db, (tx, id, state, when) -> {
      if (state == JobState.QUEUED) {
        outbox.subscribe(tx, id, TARGET);
      }
      outbox.record(tx, id, state, when);
    });
  }

  /** A new queued job (its {@code job.queued} event), at the fixture's fixed time. */
  JobId queued(String user) {
    JobId id = JobId.generate(clock);
    jobs.insert(StoredJob.queued(id, user, "txt2img", "{}", clock.instant()));
    return id;
  }

  /** The job starts running (its {@code job.running} event), at the same time. */
  void running(JobId id) {
    jobs.transition(id, JobState.QUEUED, JobState.RUNNING, JobUpdate.none().withStartedAt(clock.instant()));
  }

  /** The job's oldest pending event is given this outcome (delivered or failed) after one attempt. */
  void settleHead(JobId id, DeliveryState outcome) {
    WebhookOutbox.Pending head = outbox.due(clock.instant(), 1000).stream().filter(p -> p.jobId().equals(id.value()))
        .findFirst().orElseThrow(() -> new AssertionError("no pending event of " + id));
    outbox.attempted(head.seq(), outcome, 1, outcome == DeliveryState.DELIVERED ? 204 : 500,
        outcome == DeliveryState.DELIVERED ? null : "HTTP 500", clock.instant(), null);
  }
}
