package io.comfygate.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A new job as a submit asks the store to record it, with what the store checks in the same
 * transaction: the user's idempotency key (if any) and the per-user waiting limit.
 *
 * @param job the job, queued
 * @param key the idempotency key's record, or {@code null}; its user and job must be the job's
 * @param keyNotBefore key records older than this have expired ({@code null} when there is no key)
 * @param limit the per-user waiting limit ({@link WaitingLimit#NONE} for none)
 */
public record Admission(StoredJob job, IdempotencyRecord key, Instant keyNotBefore, WaitingLimit limit) {
  public Admission {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(limit, "limit");
    if (key != null) {
      Objects.requireNonNull(keyNotBefore, "keyNotBefore");
      if (!key.userId().equals(job.userId()) || !key.jobId().equals(job.id())) {
        throw new IllegalArgumentException("idempotency key " + key + " is not for job " + job.id() + " of " + job.userId());
      }
    }
  }

  /** A job with no key and no limit. */
  public static Admission of(StoredJob job) {
    return new Admission(job, null, null, WaitingLimit.NONE);
  }
}
