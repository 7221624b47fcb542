package io.comfygate.store;

import java.time.Instant;

/**
 * Columns to set together with a state change in {@link JobStore#transition}. Fields left
 * {@code null} keep their stored value. Immutable: each {@code with…} returns a new update.
 *
 * @param backend the backend the job runs on
 * @param startedAt when it started
 * @param finishedAt when it ended
 * @param error why it failed
 */
public record JobUpdate(String backend, Instant startedAt, Instant finishedAt, String error) {
  private static final JobUpdate NONE = new JobUpdate(null, null, null, null);

  /** An update that changes only the state. */
  public static JobUpdate none() {
    return NONE;
  }

  public JobUpdate withBackend(String backend) {
    return new JobUpdate(backend, startedAt, finishedAt, error);
  }

  public JobUpdate withStartedAt(Instant startedAt) {
    return new JobUpdate(backend, startedAt, finishedAt, error);
  }

  public JobUpdate withFinishedAt(Instant finishedAt) {
    return new JobUpdate(backend, startedAt, finishedAt, error);
  }

  public JobUpdate withError(String error) {
    return new JobUpdate(backend, startedAt, finishedAt, error);
  }
}
