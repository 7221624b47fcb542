package io.comfygate.remote.errors;

import java.time.Duration;

/**
 * The caller has as many jobs waiting as the server allows (429). {@link #retryAfter()} is when a
 * slot is likely free; submits retry by themselves within their {@code RetryPolicy}, so this is
 * thrown only once that policy would wait too long.
 */
public class QuotaExceededException extends ComfyGateException {
  private static final long serialVersionUID = 1L;
  private final Integer limit;
  private final transient Duration retryAfter;

  public QuotaExceededException(String message, Integer limit, Duration retryAfter) {
    super(429, "quota_exceeded", message, null);
    this.limit = limit;
    this.retryAfter = retryAfter;
  }

  /** The limit reached, or null when the server did not say. */
  public Integer limit() {
    return limit;
  }

  /** When to try again, or null when the server did not say. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
