package io.comfygate.store;

import io.comfygate.jobs.JobId;
import java.time.Instant;
import java.util.Objects;

/**
 * A job submission recorded under an idempotency key: the job it created and a fingerprint of the
 * request, so a retry can be told apart from a different request under the same key.
 *
 * @param userId the caller; keys are scoped per user
 * @param key the idempotency key as the caller sent it
 * @param requestHash a fingerprint of the request (template and params)
 * @param jobId the job the first request created
 * @param createdAt when the key was first used (the retention window counts from here)
 */
public record IdempotencyRecord(String userId, String key, String requestHash, JobId jobId, Instant createdAt) {
  public IdempotencyRecord {
    StoredJob.requireText(userId, "userId");
    Objects.requireNonNull(key, "key");
    StoredJob.requireText(requestHash, "requestHash");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
