package io.comfygate.remote.errors;

/** The Idempotency-Key was used for a different request (422): use a new key for a new job. */
public class IdempotencyKeyReusedException extends ComfyGateException {
  private static final long serialVersionUID = 1L;

  public IdempotencyKeyReusedException(int status, String code, String message) {
    super(status, code, message, null);
  }
}
