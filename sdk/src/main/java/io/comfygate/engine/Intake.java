package io.comfygate.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.comfygate.errors.IdempotencyKeyReusedException;
import io.comfygate.errors.QuotaExceededException;
import io.comfygate.errors.ServiceUnavailableException;
import io.comfygate.internal.json.Json;
import io.comfygate.jobs.IdempotencyKey;
import io.comfygate.jobs.JobId;
import io.comfygate.store.AdmitResult;
import io.comfygate.store.Admission;
import io.comfygate.store.IdempotencyRecord;
import io.comfygate.store.JobStore;
import io.comfygate.store.StoredJob;
import io.comfygate.templates.Template;
import io.comfygate.templates.TemplateRegistry;
import io.comfygate.webhooks.WebhookTarget;
import io.comfygate.webhooks.Webhooks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The submit path: validates a request, refuses it (no backend) or has the store admit it (its
 * idempotency key, the user's waiting limit, the row and its webhook subscription, in one
 * transaction), then hands the committed job to the {@link JobBoard}, which queues it and
 * dispatches. Nothing here holds the scheduling lock; the board takes it only for the in-memory
 * pick-up. Also finds the job an earlier submit with the same idempotency key created. The contract is on {@link
 * JobEngine#submit(String, String, JsonNode, SubmitOptions)}.
 */
final class Intake {
  private static final Logger LOG = LoggerFactory.getLogger(JobEngine.class); // engine logs keep one name

  private final JobBoard board;
  private final JobStore jobs;
  private final TemplateRegistry templates;
  private final InputForwarder inputs;
  private final Webhooks webhooks;
  private final Queries queries;
  private final EtaEstimator eta;
  private final Clock clock;
  private final Duration idempotencyRetention;

  /** @param webhooks the webhook outbox, or {@code null} when webhooks are off */
  Intake(JobBoard board, JobStore jobs, TemplateRegistry templates, InputForwarder inputs, Webhooks webhooks,
      Queries queries, EtaEstimator eta, Clock clock,
      Duration idempotencyRetention) {
    this.board = board;
    this.jobs = jobs;
    this.templates = templates;
    this.inputs = inputs;
    this.webhooks = webhooks;
    this.queries = queries;
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
    // Checked only: the workflow is built once, when the job is sent (HandOver), from these values.
    ObjectNode checked = t.resolve(params, ThreadLocalRandom.current());
    inputs.checkOwned(t, checked, userId);
    String fingerprint = key == null ? null : RequestFingerprint.of(t.name(), params);
    Instant now = clock.instant();
    Instant notBefore = now.minus(idempotencyRetention);
    if (!board.anyHealthy()) {
      // A key that names a job already is answered even now: the job exists.
      IdempotencyRecord earlier = key == null ? null : jobs.findKey(userId, key.value(), notBefore).orElse(null);
      if (earlier != null) {
        return replay(earlier, key, fingerprint);
      }
      throw new ServiceUnavailableException("No ComfyUI backend is available: " + board.downReasons());
    }
    String paramsJson = Json.write(checked);
    StoredJob stored = StoredJob.queued(JobId.generate(clock), userId, t.name(), paramsJson, now);
    IdempotencyRecord record = key == null ? null
        : new IdempotencyRecord(userId, key.value(), fingerprint, stored.id(), now);
    // Committed without the scheduling lock: the store applies the key and the waiting limit in the
    // insert's transaction, so they hold against every other submit, of this process or another.
    AdmitResult result = admit(new Admission(stored, record, record == null ? null : notBefore,
        board.waitingLimit()), webhook);
    if (result instanceof AdmitResult.KeyTaken taken) {
      return replay(taken.earlier(), key, fingerprint);
    }
    if (result instanceof AdmitResult.OverLimit over) {
      throw quotaExceeded(userId, over.maxWaiting());
    }
    ActiveJob job = board.newJob(stored, null, checked);
    return Submission.created(board.pickUp(job));
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

  /** Stores the job (with its key and webhook subscription, if any) unless the store refuses it. */
  private AdmitResult admit(Admission admission, WebhookTarget webhook) {
    JobId id = admission.job().id();
    if (webhook != null) {
      webhooks.expect(id, webhook); // taken up by the store's hook inside the insert
    }
    boolean admitted = false;
    try {
      AdmitResult result = jobs.admit(admission);
      admitted = result instanceof AdmitResult.Admitted;
      return result;
    } finally {
      if (webhook != null && admitted) {
        webhooks.subscribed(id);
      } else if (webhook != null) {
        webhooks.forget(id);
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
