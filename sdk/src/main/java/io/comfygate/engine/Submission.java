package io.comfygate.engine;

import java.util.Objects;

/**
 * What {@link JobEngine#submit(String, String, com.fasterxml.jackson.databind.JsonNode,
 * SubmitOptions)} did: queued a new job, or found the job that an earlier
 * submit with the same idempotency key created ({@link #replayed()}), and returned it as it is now.
 */
public final class Submission {
  private final Job job;
  private final boolean replayed;

  private Submission(Job job, boolean replayed) {
    this.job = Objects.requireNonNull(job, "job");
    this.replayed = replayed;
  }

  static Submission created(Job job) {
    return new Submission(job, false);
  }

  static Submission replayed(Job job) {
    return new Submission(job, true);
  }

  /** The new job, or the earlier one as it is now (its state, position, images). */
  public Job job() {
    return job;
  }

  /** True when no job was created because the idempotency key had one already. */
  public boolean replayed() {
    return replayed;
  }

  @Override
  public String toString() {
    return "Submission[" + job.id() + (replayed ? ", replayed]" : "]");
  }
}
