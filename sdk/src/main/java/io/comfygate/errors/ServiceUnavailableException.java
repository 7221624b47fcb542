package io.comfygate.errors;

/**
 * The service cannot take new work right now (HTTP 503), for the reason in the message: no ComfyUI
 * backend is healthy, or the engine is shutting down. Nothing was stored or queued; trying again
 * later may succeed.
 */
public class ServiceUnavailableException extends ComfyException {
  private static final long serialVersionUID = 1L;

  public ServiceUnavailableException(String message) {
    super(message);
  }
}
