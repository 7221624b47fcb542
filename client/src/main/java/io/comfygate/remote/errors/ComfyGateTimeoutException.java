package io.comfygate.remote.errors;

/** A deadline passed: a request's, a retry budget's, or an {@code await}'s. */
public class ComfyGateTimeoutException extends ComfyGateException {
  private static final long serialVersionUID = 1L;

  public ComfyGateTimeoutException(String message, Throwable cause) {
    super(0, null, message, cause);
  }
}
