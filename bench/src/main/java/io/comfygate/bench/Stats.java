package io.comfygate.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/**
 * Order statistics of a sample of durations in nanoseconds. Percentiles use the nearest-rank
 * method: p99 of 150 samples is the 149th smallest, so a single outlier shows up in p99 of a
 * small sample, which is what a gap benchmark should reveal.
 */
public final class Stats {
  private final long[] sorted;

  private Stats(long[] values) {
    this.sorted = values.clone();
    Arrays.sort(sorted);
  }

  public static Stats of(Collection<Long> nanos) {
    return new Stats(nanos.stream().mapToLong(Long::longValue).toArray());
  }

  public int count() {
    return sorted.length;
  }

  /** Nearest-rank percentile in nanoseconds; {@code p} in (0, 100]. */
  public long percentile(double p) {
    if (sorted.length == 0) {
      throw new IllegalStateException("no samples");
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  public long median() {
    return percentile(50);
  }

  public long max() {
    return sorted[sorted.length - 1];
  }

  /** {@code n=150 p50=0.412 ms p90=… p99=… max=…}. */
  public String summary() {
    return String.format(Locale.ROOT, "n=%d p50=%s p90=%s p99=%s max=%s", count(), ms(median()),
        ms(percentile(90)), ms(percentile(99)), ms(max()));
  }

  public static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }
}
