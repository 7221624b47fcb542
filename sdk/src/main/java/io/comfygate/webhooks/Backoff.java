package io.comfygate.webhooks;

import java.time.Duration;

/**
 * Exponential backoff with jitter: after attempt n the wait is {@code initial * 2^(n-1)}, capped at
 * {@code max}, then scaled by a random factor in [0.5, 1) so that many receivers coming back at
 * once are not hit by a synchronised wave of retries.
 */
record Backoff(Duration initial, Duration max) {

  /**
   * @param attempt the attempt that just failed, 1 or more
   * @param random a number in [0, 1)
   */
  Duration delay(int attempt, double random) {
    long cap = max.toMillis();
    long base = initial.toMillis();
    int shift = Math.min(Math.max(attempt - 1, 0), 62);
    long exp = base > (cap >> shift) ? cap : base << shift; // compared before shifting: no overflow
    return Duration.ofMillis((long) (exp * (0.5 + random / 2)));
  }
}
