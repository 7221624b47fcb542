package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.comfygate.errors.IdempotencyKeyReusedException;
import io.comfygate.errors.QuotaExceededException;
import io.comfygate.errors.ServiceUnavailableException;
import io.comfygate.internal.json.Json;
import io.comfygate.jobs.IdempotencyKey;
import io.comfygate.jobs.JobId;
import io.comfygate.store.IdempotencyRecord;
import io.comfygate.store.JobStore;
import io.comfygate.store.StoredJob;
import io.comfygate.templates.BoundWorkflow;
import io.comfygate.templates.Template;
import io.comfygate.templates.TemplateRegistry;
import io.comfygate.webhooks.WebhookTarget;
import io.comfygate.webhooks.Webhooks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The submit path: validates a request, refuses it (no backend, over the user's quota) or stores it
 * (with its idempotency key and webhook subscription, in one transaction) and queues it, or finds
 * the job an earlier submit with the same idempotency key created. The contract is on {@link
 * JobEngine#submit(String, String, JsonNode, SubmitOptions)}.
 */
final class Intake {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name

  private final JobBoard board;
  private final JobStore jobs;
  private final TemplateRegistry templates;
  private final InputForwarder inputs;
  private final Webhooks webhooks;
  private final Snapshots snapshots;
  private final Queries queries;
  private final Listeners listeners;
  private final EtaEstimator eta;
  private final Clock clock;
  private final Duration idempotencyRetention;

  /** @param webhooks the webhook outbox, or {@code null} when webhooks are off */
  Intake(JobBoard board, JobStore jobs, TemplateRegistry templates, InputForwarder inputs, Webhooks webhooks,
      Snapshots snapshots, Queries queries, Listeners listeners, EtaEstimator eta, Clock clock,
      Duration idempotencyRetention) {
    this.board = board;
    this.jobs = jobs;
    this.templates = templates;
    this.inputs = inputs;
    this.webhooks = webhooks;
    this.snapshots = snapshots;
    this.queries = queries;
    this.listeners = listeners;
    this.eta = eta;
    this.clock = clock;
    this.idempotencyRetention = idempotencyRetention;
  }

  Submission submit(String userId, String template, JsonNode params, SubmitOptions options) {
    IdempotencyKey key = options.idempotencyKey().orElse(null);
    WebhookTarget webhook = options.webhook().orElse(null);
    if (webhook != null && webhooks == null) {
      throw new IllegalStateException("webhooks are not enabled on this engine (JobEngine.Builder.webhooks)");
    }
    if (userId == null || userId.isBlank()) {
      throw new IllegalArgumentException("userId must not be blank");
    }
    Template t = templates.get(template);
    BoundWorkflow bound = t.bind(params, ThreadLocalRandom.current());
    inputs.checkOwned(t, bound.params(), userId);
    String fingerprint = key == null ? null : RequestFingerprint.of(t.name(), params);
    IdempotencyRecord earlier;
    List<ActiveJob> dispatch = List.of();
    Job snapshot = null;
    synchronized (board.lock) {
      Instant now = clock.instant();
      Instant notBefore = now.minus(idempotencyRetention);
      earlier = key == null ? null : jobs.findKey(userId, key.value(), notBefore).orElse(null);
      if (earlier == null) {
        if (!board.anyHealthyLocked()) {
          throw new ServiceUnavailableException("No ComfyUI backend is available: " + board.downReasons());
        }
        OptionalInt refusal = board.waiting.refusal(userId, board.freeSlotsLocked());
        if (refusal.isPresent()) {
          throw quotaExceeded(userId, refusal.getAsInt());
        }
        StoredJob stored = StoredJob.queued(JobId.generate(clock), userId, t.name(), Json.write(bound.params()), now);
        // Another engine on this database may have taken the key since the look-up above.
        earlier = insert(stored, key == null ? null
            : new IdempotencyRecord(userId, key.value(), fingerprint, stored.id(), now), notBefore, webhook).orElse(null);
        if (earlier == null) {
          ActiveJob job = new ActiveJob(stored, bound.workflow());
          board.active.put(stored.id(), job);
          board.waiting.add(userId, stored.id());
          Job enqueued = snapshots.ofActiveLocked(job);
          listeners.emit(new JobEvent.Enqueued(enqueued));
          dispatch = board.promoteLocked();
          snapshot = dispatch.contains(job) ? snapshots.ofActiveLocked(job) : enqueued;
        }
      }
    }
    if (earlier != null) {
      return replay(earlier, key, fingerprint);
    }
    board.send(dispatch);
    return Submission.created(snapshot);
  }

  /** The job an idempotency key already names, if the request is the same one. */
  private Submission replay(IdempotencyRecord earlier, IdempotencyKey key, String fingerprint) {
    if (!earlier.requestHash().equals(fingerprint)) {
      throw new IdempotencyKeyReusedException(key.value(), earlier.jobId().value());
    }
    Job job = queries.find(earlier.jobId()).orElseThrow(() -> new IllegalStateException(
        "idempotency key of " + earlier.userId() + " names job " + earlier.jobId() + ", which is not stored"));
    LOG.atInfo().setMessage("idempotent_replay").addKeyValue("event", "idempotent_replay")
        .addKeyValue("job_id", job.id().value()).addKeyValue("user_id", job.userId()).log();
    return Submission.replayed(job);
  }

  /**
   * Stores the job, with its idempotency key and its webhook subscription if any, in one
   * transaction; returns the key's earlier record instead if another submit holds it.
   */
  private Optional<IdempotencyRecord> insert(StoredJob stored, IdempotencyRecord key, Instant notBefore,
      WebhookTarget webhook) {
    if (webhook != null) {
      webhooks.expect(stored.id(), webhook); // taken up by the store's hook inside the insert
    }
    try {
      if (key == null) {
        jobs.insert(stored);
        return Optional.empty();
      }
      return jobs.insertWithKey(stored, key, notBefore);
    } finally {
      if (webhook != null) {
        webhooks.forget(stored.id());
      }
    }
  }

  private QuotaExceededException quotaExceeded(String userId, int limit) {
    Duration retry = eta.runTime("*").compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : eta.runTime("*");
    String message = limit == 0
        ? "You already have a job running; no more may wait (MAX_PER_USER_QUEUE=0). Try again when it ends."
        : "You already have " + limit + " jobs waiting, the most allowed (MAX_PER_USER_QUEUE=" + limit
            + "). Try again when one of them starts.";
    return new QuotaExceededException(userId, message, limit, retry.truncatedTo(ChronoUnit.SECONDS));
  }
}
