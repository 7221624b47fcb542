package io.comfygate.engine;

/**
 * Decides which progress updates of one job are worth a log line: one each time the percentage
 * crosses the next multiple of {@code step} (PROGRESS_LOG_STEP), and never more often than
 * {@code minMillis} (PROGRESS_LOG_MIN_MS). 100 % is always logged once. Not thread-safe: one per
 * job, used from that job's event thread.
 */
final class ProgressThrottle {
  private final int step;
  private final long minMillis;
  private int lastBucket = 0;
  private long lastAt = Long.MIN_VALUE;
  private boolean doneLogged;

  ProgressThrottle(int step, long minMillis) {
    this.step = step;
    this.minMillis = minMillis;
  }

  /** Whether {@code percent} at {@code nowMillis} should be logged; records it if so. */
  boolean shouldLog(int percent, long nowMillis) {
    if (percent >= 100) {
      if (doneLogged) {
        return false;
      }
      doneLogged = true;
      lastAt = nowMillis;
      return true;
    }
    int bucket = percent / step;
    if (bucket <= lastBucket || (lastAt != Long.MIN_VALUE && nowMillis - lastAt < minMillis)) {
      return false;
    }
    lastBucket = bucket;
    lastAt = nowMillis;
    return true;
  }
}
