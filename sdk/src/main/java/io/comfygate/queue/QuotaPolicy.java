package io.comfygate.queue;

/**
 * Per-user limits: at most {@code maxConcurrent} jobs dispatched to ComfyUI at once (running, or
 * handed to ComfyUI's own queue right behind a running one), and at most {@code maxWaiting} jobs
 * waiting for that.
 *
 * @param maxWaiting MAX_PER_USER_QUEUE, at least 0
 * @param maxConcurrent MAX_PER_USER_CONCURRENT, at least 1
 */
public record QuotaPolicy(int maxWaiting, int maxConcurrent) {
  public QuotaPolicy {
    if (maxWaiting < 0) {
      throw new IllegalArgumentException("maxWaiting must be >= 0: " + maxWaiting);
    }
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be >= 1: " + maxConcurrent);
    }
  }
}
