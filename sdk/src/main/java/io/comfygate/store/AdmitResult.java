package io.comfygate.store;

/** What {@link JobStore#admit} did: stored the job, or refused it and stored nothing. */
public sealed interface AdmitResult {
  /** The job (and its key) are stored. */
  record Admitted() implements AdmitResult {}

  /** The user's idempotency key already names a live job: {@code earlier} is its record. */
  record KeyTaken(IdempotencyRecord earlier) implements AdmitResult {}

  /** The user has {@code maxWaiting} jobs waiting already. */
  record OverLimit(int maxWaiting) implements AdmitResult {}

  AdmitResult ADMITTED = new Admitted();
}
