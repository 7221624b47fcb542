package io.comfygate.errors;

import java.time.Duration;

/**
 * A user already has as many jobs, or keeps as many uploads, as the limits allow (HTTP 429).
 * Nothing was stored or queued. {@link #retryAfter()} is a hint for when a slot is likely to free
 * up (for uploads: when the oldest one expires).
 */
public class QuotaExceededException extends ComfyException {
  private static final long serialVersionUID = 1L;

  private final String userId;
  private final int limit;
  private final transient Duration retryAfter;

  public QuotaExceededException(String userId, String message, int limit, Duration retryAfter) {
    super(message);
    this.userId = userId;
    this.limit = limit;
    this.retryAfter = retryAfter;
  }

  public String userId() {
    return userId;
  }

  /** The limit that was reached (MAX_PER_USER_QUEUE waiting jobs, or UPLOAD_MAX_PER_USER uploads). */
  public int limit() {
    return limit;
  }

  /** When trying again is likely to succeed; never negative, at least one second. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
