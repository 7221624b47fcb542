package io.comfygate.errors;

/**
 * A job submission reused an idempotency key that the same user already sent, within the retention
 * window, with a different request (another template or other parameters) (HTTP 422). Nothing was
 * stored or queued: a new request needs a new key.
 */
public class IdempotencyKeyReusedException extends ComfyException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String jobId;

  public IdempotencyKeyReusedException(String key, String jobId) {
    super("Idempotency key \"" + key + "\" was already used for a different request (job " + jobId
        + "); send the same template and params to get that job again, or a new key for a new job");
    this.key = key;
    this.jobId = jobId;
  }

  /** The key that was reused. */
  public String key() {
    return key;
  }

  /** The job the key was first used for. */
  public String jobId() {
    return jobId;
  }
}
