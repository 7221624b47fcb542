package io.comfygate.store;

/**
 * How many of one user's jobs are waiting and running.
 *
 * @param queued jobs in state queued
 * @param running jobs in state running
 */
public record ActiveCounts(int queued, int running) {
  /** No active jobs. */
  public static final ActiveCounts NONE = new ActiveCounts(0, 0);

  public ActiveCounts {
    if (queued < 0 || running < 0) {
      throw new IllegalArgumentException("counts must be >= 0: " + queued + ", " + running);
    }
  }
}
