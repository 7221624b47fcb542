package io.comfygate.remote;

import java.time.Duration;
import java.util.Objects;

/**
 * When a call that is safe to repeat (a submit with its Idempotency-Key, a read) is tried again:
 * after a connection error or timeout, a 503, or a 429 whose {@code Retry-After} is at most
 * {@link #maxRetryAfter()}. Waits start at {@link #initialBackoff()} and double up to
 * {@link #maxBackoff()}, with jitter; a server's {@code Retry-After} is honoured instead. At most
 * {@link #maxAttempts()} attempts, all within {@link #budget()}. Immutable.
 */
public final class RetryPolicy {
  private static final RetryPolicy DEFAULTS = new RetryPolicy(5, Duration.ofMillis(250), Duration.ofSeconds(5),
      Duration.ofSeconds(30), Duration.ofMinutes(2));
  private static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ZERO,
      Duration.ofDays(1));

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration maxRetryAfter;
  private final Duration budget;

  private RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter,
      Duration budget) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
    }
    positive("initialBackoff", initialBackoff);
    positive("maxBackoff", maxBackoff);
    positive("budget", budget);
    if (Objects.requireNonNull(maxRetryAfter, "maxRetryAfter").isNegative()) {
      throw new IllegalArgumentException("maxRetryAfter must be >= 0: " + maxRetryAfter);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must be >= initialBackoff: " + maxBackoff + " < " + initialBackoff);
    }
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.maxRetryAfter = maxRetryAfter;
    this.budget = budget;
  }

  private static void positive(String name, Duration d) {
    if (Objects.requireNonNull(d, name).isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0: " + d);
    }
  }

  /** 5 attempts within 2 minutes, backoff 250 ms doubling to 5 s, Retry-After honoured up to 30 s. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** One attempt: every failure is thrown at once. */
  public static RetryPolicy none() {
    return NONE;
  }

  public RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(attempts, initialBackoff, maxBackoff, maxRetryAfter, budget);
  }

  public RetryPolicy withBackoff(Duration initial, Duration max) {
    return new RetryPolicy(maxAttempts, initial, max, maxRetryAfter, budget);
  }

  /** The longest {@code Retry-After} waited for; a 429 asking for longer is thrown at once. */
  public RetryPolicy withMaxRetryAfter(Duration max) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, max, budget);
  }

  /** The time all attempts and waits of one call must fit in. */
  public RetryPolicy withBudget(Duration total) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, maxRetryAfter, total);
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public Duration maxRetryAfter() {
    return maxRetryAfter;
  }

  public Duration budget() {
    return budget;
  }

  /** The wait after failed attempt {@code attempt} (from 1), for a {@code random} in [0, 1): doubling, scaled by 0.5..1. */
  public Duration backoff(int attempt, double random) {
    long base = initialBackoff.toMillis() << Math.min(20, attempt - 1);
    long capped = Math.min(base, maxBackoff.toMillis());
    return Duration.ofMillis(Math.max(1, (long) (capped * (0.5 + random / 2))));
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts=" + maxAttempts + ", backoff=" + initialBackoff + ".." + maxBackoff
        + ", maxRetryAfter=" + maxRetryAfter + ", budget=" + budget + "]";
  }
}
