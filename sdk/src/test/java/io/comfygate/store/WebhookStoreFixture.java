package io.comfygate.store;

import io.comfygate.jobs.JobId;
import io.comfygate.jobs.JobState;
import io.comfygate.store.jdbc.Database;
import io.comfygate.store.jdbc.JdbcJobStore;
import io.comfygate.webhooks.DeliveryState;
import io.comfygate.webhooks.WebhookTarget;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Webhook events made the way the engine makes them: jobs written through a {@link JdbcJobStore}
 * whose change hook subscribes and records into a {@link WebhookStore}, with no deliverer, so that
 * only the test moves events out of pending. Each payload names its event, its type and the job's
 * state and image count as the store handed them over.
 */
final class WebhookStoreFixture {
  static final WebhookTarget TARGET = new WebhookTarget(URI.create("https://hooks.example.com/in"), "k-test");
  static final String OWNER = "fixture";

  final WebhookStore outbox;
  private final JdbcJobStore jobs;
  private final Clock clock;
  /** What the store gave the payload renderer, one line per event, in recording order. */
  final List<String> rendered = new ArrayList<>();
  private final java.util.Set<JobId> unsubscribed = new java.util.HashSet<>();

  WebhookStoreFixture(Database db, WebhookStore outbox, Instant at) {
    this.outbox = outbox;
    this.clock = Clock.fixed(at, ZoneOffset.UTC);
    WebhookStore.Payloads payloads = (eventId, type, occurredAt, job, images) -> {
      String line = eventId + " " + type + " " + job.id().value() + " " + job.state().wireName() + " " + images.size();
      rendered.add(line);
      return "{\"event\": \"" + line + "\"}";
    };
    this.jobs = new JdbcJobStore(db, (tx, id, state, when) -> {
      if (state == JobState.QUEUED && !unsubscribed.contains(id)) {
        outbox.subscribe(tx, id, TARGET);
      }
      outbox.record(tx, id, state, when, payloads);
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

  /** A job that names no receiver: its changes record no event. */
  JobId unsubscribed(String user) {
    JobId id = JobId.generate(clock);
    unsubscribed.add(id);
    jobs.insert(StoredJob.queued(id, user, "txt2img", "{}", clock.instant()));
    return id;
  }

  /** The job's oldest pending event is given this outcome (delivered or failed) after one attempt. */
  void settleHead(JobId id, DeliveryState outcome) {
    Instant now = clock.instant();
    ClaimedEvent head = outbox.claimDue(OWNER, now, Duration.ofMinutes(1), 1000).stream()
        .filter(p -> p.jobId().equals(id.value())).findFirst()
        .orElseThrow(() -> new AssertionError("no pending event of " + id));
    outbox.attempted(head.seq(), OWNER, outcome, 1, outcome == DeliveryState.DELIVERED ? 204 : 500,
        outcome == DeliveryState.DELIVERED ? null : "HTTP 500", now, null);
    outbox.releaseAll(OWNER); // the other heads claimed along the way are free again
  }
}
