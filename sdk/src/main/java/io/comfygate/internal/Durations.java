package io.comfygate.internal;

import java.math.BigDecimal;
import java.time.Duration;

/** Durations as people read them in messages: "3 s", "1.5 s", "250 ms". Internal. */
public final class Durations {
  private Durations() {}

  /**
   * {@code d} if it is longer than zero.
   *
   * @throws IllegalArgumentException naming {@code name} and the value otherwise
   */
  public static Duration requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0: " + d);
    }
    return d;
  }

  public static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    return BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + " s";
  }
}
