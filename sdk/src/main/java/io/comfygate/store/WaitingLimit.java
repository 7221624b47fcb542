package io.comfygate.store;

import io.comfygate.jobs.JobId;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The per-user waiting limit a store checks inside the transaction that inserts a job
 * ({@link JobStore#admit}), so it holds however many submits (or processes) race. A user's job
 * <i>waits</i> while it is queued and not handed to a backend. A user may add a job if fewer than
 * {@code maxWaiting} of theirs wait, or if none waits and the job can start at once (the user runs
 * fewer than {@code maxConcurrent} and a slot is free): such a job never takes a waiting place.
 *
 * @param maxWaiting jobs a user may have waiting (MAX_PER_USER_QUEUE), 0 or more
 * @param maxConcurrent jobs a user may have on backends at once (MAX_PER_USER_CONCURRENT), 1 or more
 * @param slotFree whether a backend slot is free right now, as the caller sees it
 * @param handedOver jobs the caller has already taken out of its waiting room for a backend whose
 *     row does not say so yet (the hand-over is being recorded): they do not count as waiting
 */
public record WaitingLimit(int maxWaiting, int maxConcurrent, boolean slotFree, Predicate<JobId> handedOver) {
  /** No limit: every job is admitted. */
  public static final WaitingLimit NONE = new WaitingLimit(Integer.MAX_VALUE, Integer.MAX_VALUE, true, id -> false);

  public WaitingLimit {
    if (maxWaiting < 0) {
      throw new IllegalArgumentException("maxWaiting must be >= 0: " + maxWaiting);
    }
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be >= 1: " + maxConcurrent);
    }
    Objects.requireNonNull(handedOver, "handedOver");
  }

  /** Whether any job could be refused at all. */
  public boolean limited() {
    return maxWaiting != Integer.MAX_VALUE;
  }

  /** How many of a user's waiting rows need to be read to decide: the handed-over ones are skipped. */
  public int rowsToRead() {
    long n = (long) maxWaiting + maxConcurrent;
    return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
  }
}
